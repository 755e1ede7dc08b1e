"""lb/rules.py: conditions and rule order as ELBv2 evaluates them (reference §4.5)."""

from __future__ import annotations

from collections.abc import Sequence

from multidict import CIMultiDict

from ecsd.lb.rules import Facts, Matcher, compile_condition, host_only
from ecsd.lb.table import Condition, FixedResponse, Rule


def facts(
    host: str = "a.elb.localhost",
    path: str = "/",
    method: str = "GET",
    headers: dict[str, str] | None = None,
    query: Sequence[tuple[str, str]] = (),
    peer: str = "127.0.0.1",
) -> Facts:
    h = CIMultiDict(headers or {})
    return Facts(host, path, method, lambda n: h.getall(n, ()), list(query), peer)


def cond(field: str, *values: str, name: str | None = None) -> Condition:
    return Condition(field, tuple(values), name)


def test_host_is_case_insensitive_with_wildcards_and_ignores_the_port():
    c = compile_condition(cond("host-header", "*.Example.com", "api?.test"))
    assert c(facts(host="www.example.COM"))
    assert c(facts(host="WWW.example.com:8080"))
    assert c(facts(host="api1.test"))
    assert not c(facts(host="api12.test"))
    assert not c(facts(host="example.com"))


def test_path_is_case_sensitive_on_the_path_only():
    c = compile_condition(cond("path-pattern", "/api/*", "/img?.png"))
    assert c(facts(path="/api/users"))
    assert not c(facts(path="/API/users"))
    assert c(facts(path="/img1.png"))
    assert not c(facts(path="/img10.png"))
    # the query string is never part of the path
    assert compile_condition(cond("path-pattern", "/a"))(facts(path="/a", query=[("x", "1")]))


def test_headers_are_case_insensitive_in_name_and_value():
    c = compile_condition(cond("http-header", "*Mobile*", name="User-Agent"))
    assert c(facts(headers={"user-agent": "Foo MOBILE bar"}))
    assert not c(facts(headers={"user-agent": "desktop"}))
    assert not c(facts())


def test_query_pairs_case_insensitive_and_any_key():
    c = compile_condition(cond("query-string", "version=v1", "=beta*"))
    assert c(facts(query=[("Version", "V1")]))
    assert c(facts(query=[("anything", "BETA2")]))
    assert not c(facts(query=[("version", "v2")]))
    assert not c(facts())


def test_method_is_exact_and_case_sensitive():
    c = compile_condition(cond("http-request-method", "GET", "HEAD"))
    assert c(facts(method="GET"))
    assert not c(facts(method="get"))
    assert not c(facts(method="POST"))


def test_source_ip_uses_the_peer_and_cidrs():
    c = compile_condition(cond("source-ip", "10.0.0.0/8", "::1/128"))
    assert c(facts(peer="10.1.2.3"))
    assert c(facts(peer="::1"))
    assert c(facts(peer="::ffff:10.0.0.1"))  # an IPv4 peer on a dual-stack socket
    assert not c(facts(peer="192.168.0.1"))
    # X-Forwarded-For never counts
    assert not c(facts(peer="192.168.0.1", headers={"X-Forwarded-For": "10.0.0.1"}))


def _rule(arn: str, priority: int, *conds: Condition, default: bool = False) -> Rule:
    return Rule(arn, priority, conds, FixedResponse(200, body=arn), is_default=default)


def test_rules_by_priority_conditions_and_default_last():
    rules = [
        _rule("default", 0, default=True),
        _rule("p20", 20, cond("path-pattern", "/api/*")),
        _rule(
            "p10",
            10,
            cond("path-pattern", "/api/*"),
            cond("host-header", "admin.*"),  # conditions AND
        ),
    ]
    m = Matcher(rules)
    assert m.unconditional is None
    assert m.match(facts(host="admin.x", path="/api/a")).arn == "p10"
    assert m.match(facts(host="www.x", path="/api/a")).arn == "p20"
    assert m.match(facts(path="/other")).arn == "default"


def test_a_listener_with_only_its_default_rule_needs_no_facts():
    m = Matcher([_rule("default", 0, default=True)])
    assert m.unconditional is not None and m.unconditional.arn == "default"


def test_host_only():
    assert host_only("a.localhost:8080") == "a.localhost"
    assert host_only("[::1]:80") == "[::1]"
    assert host_only("plain") == "plain"
