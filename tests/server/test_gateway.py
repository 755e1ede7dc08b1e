"""The one endpoint: service recognition, error shapes, ecsd's own routes, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import ecsd

ECS = "AmazonEC2ContainerServiceV20141113"


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_sts_query_protocol_through_boto3_and_cli(client, aws):
    ident = client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"
    assert aws.json("sts", "get-caller-identity")["Account"] == "000000000000"


def test_unsigned_query_request_is_routed_by_action(ecsd):
    status, headers, body = _post(
        ecsd.url,
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    assert headers["Content-Type"].startswith("text/xml")
    assert b"<GetCallerIdentityResult><UserId>000000000000</UserId>" in body
    assert b"<Arn>arn:aws:iam::000000000000:root</Arn>" in body


def test_region_comes_from_the_credential_scope(client):
    arn = client("ecs", "ap-northeast-1").create_cluster(clusterName="tokyo")["cluster"][
        "clusterArn"
    ]
    assert arn == "arn:aws:ecs:ap-northeast-1:000000000000:cluster/tokyo"
    assert client("ecs", "us-east-1").list_clusters()["clusterArns"] == []
    assert client("ecs", "ap-northeast-1").list_clusters()["clusterArns"] == [arn]


def test_json_errors_have_the_aws_shape(ecsd):
    cases = [
        ("DescribeClusters", b"{not json", "SerializationException"),
        ("DescribeClusters", b'{"clusters": 7}', "SerializationException"),
        ("TagResource", b"{}", "InvalidParameterException"),
        ("NoSuchOperation", b"{}", "UnknownOperationException"),
    ]
    for op, body, code in cases:
        status, headers, payload = _post(
            ecsd.url,
            body,
            {"X-Amz-Target": f"{ECS}.{op}", "Content-Type": "application/x-amz-json-1.1"},
        )
        data = json.loads(payload)
        assert status == 400, (op, payload)
        assert data["__type"] == code and data["message"], (op, data)
        assert headers["x-amzn-ErrorType"] == code
        assert "Traceback" not in data["message"]


def test_unknown_service_target_is_a_clean_error(ecsd):
    status, _, payload = _post(
        ecsd.url,
        b"{}",
        {"X-Amz-Target": "NoSuchService_2020.DoIt", "Content-Type": "application/x-amz-json-1.1"},
    )
    assert status == 400
    assert json.loads(payload)["__type"] == "UnknownOperationException"


def test_unknown_query_action_is_an_xml_error(ecsd):
    status, _, payload = _post(
        ecsd.url,
        b"Action=LaunchRockets&Version=1",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 400
    assert b"<ErrorResponse" in payload and b"<Code>InvalidAction</Code>" in payload


def test_health_and_reset(ecsd, ecs):
    with urllib.request.urlopen(f"{ecsd.url}/_ecsd/health") as resp:
        assert json.load(resp) == {"status": "ok", "version": ecsd_version()}
    ecs.create_cluster(clusterName="x")
    ecsd.reset()
    assert ecs.list_clusters()["clusterArns"] == []


def ecsd_version() -> str:
    return ecsd.__version__


def test_version_flag():
    out = subprocess.run(
        [sys.executable, "-m", "ecsd", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"ecsd, version {ecsd.__version__}"


def test_concurrent_writes_are_all_kept(ecs):
    names = [f"c{i:03d}" for i in range(64)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: ecs.create_cluster(clusterName=n), names))
    arns = [a for p in ecs.get_paginator("list_clusters").paginate() for a in p["clusterArns"]]
    assert sorted(a.rsplit("/", 1)[1] for a in arns) == names
