"""Listener rules: which rule a request matches, as ELBv2 evaluates them (reference §4.5).

Pure functions over a request's facts, so they are unit-tested without a socket. A
listener's rules are compiled once per table (`compile_rules`) into regular expressions
and networks; matching a request then costs a few regex calls, no parsing.

- host-header: case-insensitive, `*` (any run) and `?` (one character); the port of the
  Host header is not part of the match.
- path-pattern: case-sensitive, on the path only (never the query string).
- http-header: the named header (name case-insensitive), values case-insensitive, with
  wildcards; any of the header's occurrences may match.
- query-string: `key=value` pairs (an empty key matches any key), case-insensitive, with
  wildcards.
- http-request-method: exact and case-sensitive.
- source-ip: CIDRs containing the immediate peer's address (never X-Forwarded-For).

Values in one condition are OR-ed, conditions are AND-ed, rules are tried by priority and
the default rule (no conditions) is last.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ecsd.lb.table import Condition, Rule


@dataclass(frozen=True)
class Facts:
    """What a rule can look at. `headers` maps lower-cased names to every value sent;
    `query` is the decoded (key, value) pairs in order."""

    host: str
    path: str
    method: str
    headers: Callable[[str], Sequence[str]]
    query: Sequence[tuple[str, str]]
    peer: str


@lru_cache(maxsize=4096)
def wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """ELBv2's wildcards as a regex: `*` any run of characters, `?` exactly one."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def host_only(host: str) -> str:
    """The Host header without its port (`[::1]:80` → `[::1]`, `a.localhost:8080` → ...)."""
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end >= 0 else host
    colon = host.rfind(":")
    return host[:colon] if colon >= 0 else host


Predicate = Callable[[Facts], bool]


def _any_full(patterns: list[re.Pattern[str]], value: str) -> bool:
    return any(p.fullmatch(value) for p in patterns)


def compile_condition(cond: Condition) -> Predicate:
    """One condition as a predicate on `Facts`. An unknown field never matches (the API
    refuses them; a table built from a newer store must not route by accident)."""
    field = cond.field
    values = cond.values
    if field == "host-header":
        hosts = [wildcard(v, True) for v in values]
        return lambda f: _any_full(hosts, host_only(f.host))
    if field == "path-pattern":
        paths = [wildcard(v, False) for v in values]
        return lambda f: _any_full(paths, f.path)
    if field == "http-request-method":
        methods = frozenset(values)
        return lambda f: f.method in methods
    if field == "http-header":
        name = (cond.name or "").lower()
        pats = [wildcard(v, True) for v in values]
        return lambda f: any(_any_full(pats, v) for v in f.headers(name))
    if field == "query-string":
        pairs = []
        for v in values:
            key, sep, val = v.partition("=")
            if not sep:  # "value" alone: a value under any key
                key, val = "", v
            pairs.append((wildcard(key, True) if key else None, wildcard(val, True)))

        def query(f: Facts) -> bool:
            for k, v in f.query:
                for kp, vp in pairs:
                    if (kp is None or kp.fullmatch(k)) and vp.fullmatch(v):
                        return True
            return False

        return query
    if field == "source-ip":
        nets = [ipaddress.ip_network(v, strict=False) for v in values]

        def source(f: Facts) -> bool:
            try:
                addr = ipaddress.ip_address(f.peer)
            except ValueError:
                return False
            if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
                addr = addr.ipv4_mapped
            return any(addr.version == n.version and addr in n for n in nets)

        return source
    return lambda f: False


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    predicates: tuple[Predicate, ...]

    def matches(self, facts: Facts) -> bool:
        for p in self.predicates:
            if not p(facts):
                return False
        return True


def order(rules: Iterable[Rule]) -> list[Rule]:
    """Rules by priority, lowest first, the default rule(s) last."""
    return sorted(rules, key=lambda r: (r.is_default, r.priority))


class Matcher:
    """A listener's rules, compiled. `match` returns the first rule that matches; the
    default rule has no conditions, so it matches whatever reaches it."""

    __slots__ = ("_rules", "unconditional")

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules = tuple(
            CompiledRule(r, tuple(compile_condition(c) for c in r.conditions)) for r in order(rules)
        )
        # The first rule to try has no condition (a listener with only its default rule):
        # the proxy then skips gathering the request's facts.
        self.unconditional: Rule | None = (
            self._rules[0].rule if self._rules and not self._rules[0].predicates else None
        )

    def match(self, facts: Facts) -> Rule | None:
        for compiled in self._rules:
            if compiled.matches(facts):
                return compiled.rule
        return None


def compile_rules(rules: Iterable[Rule]) -> Matcher:
    return Matcher(rules)
