"""AWS/ApplicationELB metrics from a real `ecsd serve --lb-workers 2 --metric-period 1`:
requests through a listener (answered by both worker processes) come back from
GetMetricStatistics as RequestCount, HTTPCode_Target_*_Count, TargetResponseTime,
RequestCountPerTarget, HealthyHostCount and the load balancer's own 503s, with AWS's
dimensions (`app/<name>/<id>`, `targetgroup/<name>/<id>`)."""

from __future__ import annotations

import datetime as dt
import http.client
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

from conftest import client_for
from server_process import free_port

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]


def backend() -> ThreadingHTTPServer:
    """Answers `/<status>` with that status (200 for anything else)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            code = int(self.path[1:]) if self.path[1:].isdigit() else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    return server


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def stat(cw: Any, name: str, dims: dict[str, str], statistic: str = "Sum") -> float | None:
    """The statistic over the last 5 minutes in one period, None without data."""
    now = dt.datetime.now(dt.UTC)
    points = cw.get_metric_statistics(
        Namespace="AWS/ApplicationELB",
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - dt.timedelta(minutes=5),
        EndTime=now + dt.timedelta(minutes=1),
        Period=600,
        Statistics=[statistic],
    )["Datapoints"]
    return points[0][statistic] if points else None


def test_request_metrics(ecsd_factory: Any) -> None:
    server = ecsd_factory("--lb-workers", "2", "--metric-period", "1")
    target = backend()
    try:
        elb = client_for(server, "elbv2")
        cw = client_for(server, "cloudwatch")
        lb = elb.create_load_balancer(Name="m-lb", Subnets=SUBNETS)["LoadBalancers"][0]
        lb_arn = lb["LoadBalancerArn"]
        tg = elb.create_target_group(
            Name="m-tg",
            Protocol="HTTP",
            Port=80,
            VpcId=lb["VpcId"],
            TargetType="ip",
            HealthCheckIntervalSeconds=5,
            HealthCheckTimeoutSeconds=2,
            HealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]
        empty = elb.create_target_group(
            Name="m-empty", Protocol="HTTP", Port=80, VpcId=lb["VpcId"], TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        port = free_port()
        listener = elb.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )["Listeners"][0]["ListenerArn"]
        elb.create_rule(
            ListenerArn=listener,
            Priority=1,
            Conditions=[{"Field": "path-pattern", "Values": ["/none"]}],
            Actions=[{"Type": "forward", "TargetGroupArn": empty}],
        )
        elb.register_targets(
            TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": target.server_address[1]}]
        )
        deadline = time.monotonic() + 30
        while True:
            health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
            if [d["TargetHealth"]["State"] for d in health] == ["healthy"]:
                break
            assert time.monotonic() < deadline, health
            time.sleep(0.2)
        time.sleep(0.3)  # the state reaches both workers

        codes = [get(port, p) for p in ["/"] * 12 + ["/302"] * 2 + ["/404"] * 3 + ["/500"]]
        assert codes == [200] * 12 + [302] * 2 + [404] * 3 + [500]
        assert [get(port, "/none") for _ in range(2)] == [503, 503]

        lb_dim = lb_arn.split(":loadbalancer/")[1]
        tg_dim = tg.split(":")[-1]
        assert lb_dim.startswith("app/m-lb/") and tg_dim.startswith("targetgroup/m-tg/")
        both = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        expected = {
            ("RequestCount", "lb"): 18.0,
            ("RequestCount", "both"): 18.0,
            ("HTTPCode_Target_2XX_Count", "both"): 12.0,
            ("HTTPCode_Target_3XX_Count", "lb"): 2.0,
            ("HTTPCode_Target_4XX_Count", "both"): 3.0,
            ("HTTPCode_Target_5XX_Count", "lb"): 1.0,
            ("HTTPCode_ELB_5XX_Count", "lb"): 2.0,
            ("HTTPCode_ELB_503_Count", "lb"): 2.0,
        }
        dims_of = {"lb": {"LoadBalancer": lb_dim}, "both": both}
        deadline = time.monotonic() + 15  # published at the end of each 1 s period
        while True:
            got = {key: stat(cw, key[0], dims_of[key[1]]) for key in expected}
            if got == expected:
                break
            assert time.monotonic() < deadline, got
            time.sleep(0.5)
        # AWS keeps ELB answers out of the target group's dimension set.
        assert stat(cw, "HTTPCode_ELB_5XX_Count", both) is None
        # One healthy target: each period's RequestCountPerTarget is its RequestCount.
        assert stat(cw, "RequestCountPerTarget", {"TargetGroup": tg_dim}) == 18.0
        assert stat(cw, "RequestCountPerTarget", both) == 18.0
        assert stat(cw, "HealthyHostCount", both, "Maximum") == 1.0
        assert stat(cw, "UnHealthyHostCount", both, "Maximum") == 0.0
        rt = stat(cw, "TargetResponseTime", both, "Average")
        assert rt is not None and 0 < rt < 1.0
        names = {
            m["MetricName"] for m in cw.list_metrics(Namespace="AWS/ApplicationELB")["Metrics"]
        }
        assert {"RequestCount", "TargetResponseTime", "HealthyHostCount"} <= names
    finally:
        target.shutdown()
        target.server_close()
