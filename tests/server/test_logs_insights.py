"""Logs Insights (issue #12, item 3) through boto3 and the aws CLI against a real
`ecsd serve`: StartQuery, GetQueryResults' statuses and rows, StopQuery, DescribeQueries."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error


@pytest.fixture
def logs(client):
    return client("logs")


def _fill(logs, group: str) -> int:
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="web")
    now = int(time.time() * 1000)
    messages = [
        "GET /a [200] 12ms",
        '{"level":"ERROR","ms":120}',
        "GET /b [404] 3ms",
        '{"level":"INFO","ms":30}',
    ]
    logs.put_log_events(
        logGroupName=group,
        logStreamName="web",
        logEvents=[
            {"timestamp": now - 4000 + i * 1000, "message": m} for i, m in enumerate(messages)
        ],
    )
    return now


def _wait(logs, query_id):
    statuses = []
    while True:
        out = logs.get_query_results(queryId=query_id)
        statuses.append(out["status"])
        if out["status"] not in ("Scheduled", "Running"):
            return out, statuses


def _cells(out):
    return [{c["field"]: c["value"] for c in row if c["field"] != "@ptr"} for row in out["results"]]


def test_a_query_runs_scheduled_running_complete(logs, aws):
    now = _fill(logs, "/q/app")
    start, end = now // 1000 - 60, now // 1000 + 60
    query_id = logs.start_query(
        logGroupName="/q/app",
        startTime=start,
        endTime=end,
        queryString="fields @timestamp, @message, @logStream | sort @timestamp desc | limit 2",
    )["queryId"]
    out, statuses = _wait(logs, query_id)
    assert statuses == ["Running", "Complete"]
    assert [r["@message"] for r in _cells(out)] == ['{"level":"INFO","ms":30}', "GET /b [404] 3ms"]
    assert _cells(out)[0]["@logStream"] == "web"
    assert all(row[-1]["field"] == "@ptr" for row in out["results"])
    assert out["statistics"]["recordsScanned"] == 4.0
    assert out["statistics"]["recordsMatched"] == 4.0
    assert out["statistics"]["bytesScanned"] > 0

    parsed = logs.start_query(
        logGroupNames=["/q/app"],
        startTime=start,
        endTime=end,
        queryString='parse @message "* * [*] *" as method, path, status, took '
        "| filter status >= 400 | display path, status",
    )["queryId"]
    assert _cells(_wait(logs, parsed)[0]) == [{"path": "/b", "status": "404"}]
    counted = logs.start_query(
        logGroupName="/q/app",
        startTime=start,
        endTime=end,
        queryString="filter ispresent(level) | stats count(*) as n, avg(ms) by level",
    )["queryId"]
    result = _wait(logs, counted)[0]
    assert _cells(result) == [
        {"level": "ERROR", "n": "1", "avg(ms)": "120"},
        {"level": "INFO", "n": "1", "avg(ms)": "30"},
    ]
    assert result["statistics"]["recordsMatched"] == 2.0
    binned = logs.start_query(
        logGroupName="/q/app",
        startTime=start,
        endTime=end,
        queryString="stats count(*) by bin(1h)",
    )["queryId"]
    got = _cells(_wait(logs, binned)[0])
    assert sum(int(r["count(*)"]) for r in got) == 4 and "bin(1h)" in got[0]
    # Outside the time range: nothing.
    early = logs.start_query(
        logGroupName="/q/app", startTime=start - 7200, endTime=start - 3600, queryString="limit 5"
    )["queryId"]
    assert _wait(logs, early)[0]["results"] == []
    # The aws CLI, as a user runs it.
    cli = aws.json(
        "logs",
        "start-query",
        "--log-group-name",
        "/q/app",
        "--start-time",
        str(start),
        "--end-time",
        str(end),
        "--query-string",
        "filter @message like /\\[2\\d\\d\\]/ | fields @message",
    )
    aws.json("logs", "get-query-results", "--query-id", cli["queryId"])
    done = aws.json("logs", "get-query-results", "--query-id", cli["queryId"])
    assert done["status"] == "Complete"
    assert [c["value"] for c in done["results"][0] if c["field"] == "@message"] == [
        "GET /a [200] 12ms"
    ]


def test_stop_and_describe_queries(logs):
    now = _fill(logs, "/q/stop")
    kw = {"startTime": now // 1000 - 60, "endTime": now // 1000 + 60, "queryString": "limit 1"}
    first = logs.start_query(logGroupName="/q/stop", **kw)["queryId"]
    second = logs.start_query(logGroupName="/q/stop", **kw)["queryId"]
    assert logs.stop_query(queryId=first)["success"] is True
    assert logs.get_query_results(queryId=first)["status"] == "Cancelled"
    assert logs.stop_query(queryId=first)["success"] is False
    _wait(logs, second)
    described = logs.describe_queries(logGroupName="/q/stop")["queries"]
    assert [(q["queryId"], q["status"]) for q in described] == [
        (second, "Complete"),
        (first, "Cancelled"),
    ]
    assert described[0]["queryString"] == "limit 1"
    assert described[0]["logGroupName"] == "/q/stop"
    only = logs.describe_queries(logGroupName="/q/stop", status="Cancelled")["queries"]
    assert [q["queryId"] for q in only] == [first]
    with pytest.raises(ClientError) as err:
        logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000")
    assert aws_error(err)[0] == "ResourceNotFoundException"


def test_query_refusals(logs):
    logs.create_log_group(logGroupName="/q/bad")
    kw = {"startTime": 1, "endTime": 2}
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName="/q/bad", queryString="fields | nope", **kw)
    assert aws_error(err)[0] == "MalformedQueryException"
    assert "position" in aws_error(err)[1]
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName="/q/none", queryString="limit 1", **kw)
    assert aws_error(err) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    with pytest.raises(ClientError) as err:
        logs.start_query(queryString="limit 1", **kw)
    assert aws_error(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName="/q/bad", queryString="limit 1", startTime=5, endTime=1)
    assert aws_error(err)[0] == "InvalidParameterException"
    assert logs.describe_queries(logGroupName="/q/bad")["queries"] == []


def test_the_longest_time_range_runs_over_everything(logs):
    """startTime/endTime are longs: the largest is "up to now", not an internal error."""
    _fill(logs, "/wide")
    out = logs.start_query(
        logGroupName="/wide", startTime=0, endTime=2**63 - 1, queryString="stats count(*) as n"
    )
    assert _cells(_wait(logs, out["queryId"])[0]) == [{"n": "4"}]
    out = logs.start_query(
        logGroupName="/wide", startTime=2**63 - 1, endTime=2**63 - 1, queryString="fields @message"
    )
    assert _cells(_wait(logs, out["queryId"])[0]) == []


def test_a_query_nobody_polls_is_complete_a_second_later(logs, aws):
    """A script that starts a query, sleeps, and asks once (the docs' CLI example) finds
    it Complete with its rows; DescribeQueries shows it Complete without any poll."""
    now = _fill(logs, "/q/late")
    kw = {"startTime": now // 1000 - 60, "endTime": now // 1000 + 60}
    started = aws.json(
        "logs",
        "start-query",
        "--log-group-name",
        "/q/late",
        "--start-time",
        str(kw["startTime"]),
        "--end-time",
        str(kw["endTime"]),
        "--query-string",
        "filter @message like /404/ | fields @message",
    )["queryId"]
    fresh = logs.start_query(logGroupName="/q/late", queryString="limit 1", **kw)["queryId"]
    listed = logs.describe_queries(logGroupName="/q/late")["queries"]
    assert {q["queryId"]: q["status"] for q in listed}[fresh] == "Scheduled"
    time.sleep(1.2)
    described = aws.json("logs", "describe-queries", "--log-group-name", "/q/late")["queries"]
    assert {q["queryId"]: q["status"] for q in described} == {
        started: "Complete",
        fresh: "Complete",
    }
    complete = logs.describe_queries(logGroupName="/q/late", status="Complete")["queries"]
    assert {q["queryId"] for q in complete} == {started, fresh}
    assert logs.describe_queries(logGroupName="/q/late", status="Scheduled")["queries"] == []
    once = aws.json("logs", "get-query-results", "--query-id", started)
    assert once["status"] == "Complete"
    assert [c["value"] for c in once["results"][0] if c["field"] == "@message"] == [
        "GET /b [404] 3ms"
    ]
    assert logs.stop_query(queryId=fresh)["success"] is False
