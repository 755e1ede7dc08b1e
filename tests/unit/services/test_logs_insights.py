"""The Logs Insights query language: the parser's tree and refusals, and queries run over
records in memory (no server: services/logs/insights.py is pure)."""

from __future__ import annotations

import re

import pytest

from ecsd.services.logs import insights
from ecsd.services.logs.insights_parser import Binary, Call, Field, Lit, QueryError, parse

BASE = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
MESSAGES = [
    '{"level":"ERROR","ms":120,"req":{"path":"/a"}}',
    "GET /a [200] 12ms",
    "GET /b [404] 3ms",
    '{"level":"INFO","ms":30,"req":{"path":"/b"}}',
    "GET /c [500] 40ms",
]


def records():
    out = [
        insights.record(
            account="000000000000",
            group="/app",
            stream=f"s{i % 2}",
            event_id=i,
            timestamp=BASE + i * 60_000,
            ingestion=BASE + i * 60_000 + 5,
            message=m,
        )
        for i, m in enumerate(MESSAGES)
    ]
    return list(reversed(out))  # newest first, as the handler reads them


def rows(query: str, limit: int = 100) -> list[dict[str, str]]:
    result = insights.run(query, records(), limit=limit)
    return [{c["field"]: c["value"] for c in row if c["field"] != "@ptr"} for row in result.rows]


def test_the_tree_of_a_query():
    cmds = parse("fields a, b as c | filter x = 1 and not y like /z/ | sort a desc | limit 5")
    assert [c.name for c in cmds] == ["fields", "filter", "sort", "limit"]
    assert cmds[0].items == [(Field("a"), "a"), (Field("b"), "c")]
    cond = cmds[1].expr
    assert isinstance(cond, Binary) and cond.op == "and"
    assert cond.left == Binary("=", Field("x"), Lit(1))
    assert cond.right.op == "not" and cond.right.arg.op == "like"
    assert isinstance(cond.right.arg.right.value, re.Pattern)
    assert cmds[2].order == [(Field("a"), True)]
    assert cmds[3].number == 5
    stats = parse("stats count(*) as n, avg(ms) by bin(5m), level")[0]
    assert stats.items[0] == (Call("count", (), star=True), "n")
    assert stats.items[1][1] == "avg(ms)"
    assert stats.by[0] == (Call("bin", (Lit(300.0),)), "bin(5m)")
    # `/` after an operand divides; where an operand goes it opens a regex.
    assert parse("filter a / 2 > 1")[0].expr.left == Binary("/", Field("a"), Lit(2))


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("", 0),
        ("fields", 6),
        ("filter a = ", 11),
        ("bogus x", 0),
        ("fields a | limit 0", 17),
        ('parse @message "no stars" as a', 15),
        ('parse @message "* *" as a', 15),
        ("parse @message /(no names)/", 15),
        ("filter a like /unclosed", 14),
        ("fields a b", 9),
        ("stats a", 6),
    ],
)
def test_malformed_queries_say_where(query, where):
    with pytest.raises(QueryError) as err:
        parse(query)
    assert err.value.start == where


def test_default_fields_and_order():
    got = rows("limit 2")
    assert got == [
        {"@timestamp": "2023-11-14 22:17:20.000", "@message": "GET /c [500] 40ms"},
        {"@timestamp": "2023-11-14 22:16:20.000", "@message": MESSAGES[3]},
    ]
    result = insights.run("limit 1", records(), limit=10)
    assert result.rows[0][-1]["field"] == "@ptr"


def test_fields_and_json_discovery():
    got = rows("fields level, req.path, @logStream, @log | filter ispresent(level)")
    assert got == [
        {"level": "INFO", "req.path": "/b", "@logStream": "s1", "@log": "000000000000:/app"},
        {"level": "ERROR", "req.path": "/a", "@logStream": "s0", "@log": "000000000000:/app"},
    ]


def test_filters():
    assert len(rows('filter @message like "GET"')) == 3
    assert [r["@message"] for r in rows(r"filter @message like /\[[45]\d\d\]/")] == [
        MESSAGES[4],
        MESSAGES[2],
    ]
    assert [r["@message"] for r in rows("filter @message =~ /^GET \\/a/")] == [MESSAGES[1]]
    assert len(rows('filter @message not like "GET"')) == 2
    assert [r["@message"] for r in rows('filter level = "ERROR" or ms < 50 and ms > 10')] == [
        MESSAGES[3],
        MESSAGES[0],
    ]
    assert [r["@message"] for r in rows("filter (ms > 100 or ms < 40) and ispresent(level)")] == [
        MESSAGES[3],
        MESSAGES[0],
    ]
    assert len(rows("filter not ispresent(level)")) == 3
    assert len(rows("filter ms * 2 >= 240")) == 1
    assert len(rows('filter level in ["INFO", "DEBUG"]')) == 1
    assert len(rows("filter ms != 30")) == 1  # only records that have ms


def test_parse_glob_and_regex():
    glob = rows('parse @message "* * [*] *ms" as method, path, status, took | display path, status')
    # A record the pattern does not fit has none of the fields: an empty row, as on AWS.
    assert [r for r in glob if r] == [
        {"path": "/c", "status": "500"},
        {"path": "/b", "status": "404"},
        {"path": "/a", "status": "200"},
    ]
    regex = rows(
        r"parse @message /(?<method>GET) (?<path>\S+) \[(?<status>\d+)\]/ "
        "| filter status >= 400 | fields path, status | sort status asc"
    )
    assert regex == [{"path": "/b", "status": "404"}, {"path": "/c", "status": "500"}]


def test_sort_limit_dedup():
    assert [r["ms"] for r in rows("fields ms | filter ispresent(ms) | sort ms asc")] == [
        "30",
        "120",
    ]
    assert [r["@logStream"] for r in rows("fields @logStream | dedup @logStream")] == ["s0", "s1"]
    assert len(rows("sort @timestamp asc | limit 3")) == 3
    assert len(rows("fields @message", limit=2)) == 2


def test_stats():
    assert rows("stats count(*)") == [{"count(*)": "5"}]
    assert rows("stats count() as n, count(level) as withLevel") == [{"n": "5", "withLevel": "2"}]
    assert rows("stats avg(ms), min(ms), max(ms), sum(ms) by level") == [
        {"level": "ERROR", "avg(ms)": "120", "min(ms)": "120", "max(ms)": "120", "sum(ms)": "120"},
        {"level": "INFO", "avg(ms)": "30", "min(ms)": "30", "max(ms)": "30", "sum(ms)": "30"},
        {},
    ]
    assert rows("stats count(*) as n by bin(5m)") == [
        {"bin(5m)": "2023-11-14 22:10:00.000", "n": "2"},
        {"bin(5m)": "2023-11-14 22:15:00.000", "n": "3"},
    ]
    assert rows("stats count(*) as n by bin(5m) | sort n desc | limit 1") == [
        {"bin(5m)": "2023-11-14 22:15:00.000", "n": "3"}
    ]
    matched = insights.run('filter @message like "GET" | stats count(*)', records(), limit=10)
    assert matched.matched == 3


def test_unknown_functions_are_refused():
    with pytest.raises(QueryError):
        insights.run("fields nosuch(a)", records(), limit=10)
    with pytest.raises(QueryError):
        insights.run("filter count(*) > 1", records(), limit=10)
