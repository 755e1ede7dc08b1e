"""Regression tests over HTTP for the wire defects of issue #8: each once crashed,
answered a 5xx or plain text, or cost far more than the request; each now gets a 4xx in
the AWS error shape, at a bounded cost. Real clients (boto3) where they can send the
request, raw HTTP where no SDK would."""

from __future__ import annotations

import base64
import http.client
import json
import time
import tracemalloc
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error, client_for

ECS_TARGET = "AmazonEC2ContainerServiceV20141113"


def post(server: Any, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def ecs_raw(server: Any, operation: str, body: bytes, **headers: str) -> tuple[int, Any]:
    status, _, payload = post(
        server,
        body,
        {
            "X-Amz-Target": f"{ECS_TARGET}.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            **headers,
        },
    )
    return status, json.loads(payload)


@pytest.fixture
def server(no_engine: Any) -> Any:
    no_engine.reset()
    return no_engine


def test_32kb_sts_query_request_decodes_in_bounded_memory(server):
    # Unsigned, so anyone who can reach the port can send it: once 229 MB, quadratically.
    form = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}
    form[".".join(["a"] * 16_000)] = "x"
    body = urlencode(form).encode()
    assert len(body) > 32_000
    tracemalloc.start()
    started = time.perf_counter()
    status, _, payload = post(server, body, {"Content-Type": "application/x-www-form-urlencoded"})
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert status == 200, payload
    assert b"GetCallerIdentityResponse" in payload
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert elapsed < 5


def test_json_nested_a_thousand_deep_is_a_serialization_error(server):
    status, doc = ecs_raw(server, "ListClusters", b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert status == 400 and doc["__type"] == "SerializationException"
    status, doc = ecs_raw(
        server, "DescribeClusters", b'{"clusters":' + b"[" * 900 + b"]" * 900 + b"}"
    )
    assert status == 400 and doc["__type"] == "SerializationException"


def test_null_list_members_and_map_values_are_refused(server):
    status, doc = ecs_raw(server, "DescribeClusters", b'{"clusters": ["default", null]}')
    assert status == 400 and doc["__type"] == "SerializationException", doc
    body = json.dumps(
        {
            "family": "f",
            "containerDefinitions": [{"name": "a", "image": "i", "dockerLabels": {"k": None}}],
        }
    ).encode()
    status, doc = ecs_raw(server, "RegisterTaskDefinition", body)
    assert status == 400 and doc["__type"] == "SerializationException", doc
    assert client_for(server, "ecs").list_task_definitions()["taskDefinitionArns"] == []


def test_lone_surrogates_and_invalid_utf8_are_refused(server):
    status, doc = ecs_raw(server, "CreateCluster", b'{"clusterName": "a\\ud800"}')
    assert status == 400 and doc["__type"] == "SerializationException", doc
    status, doc = ecs_raw(server, "CreateCluster", b'{"clusterName": "a\xff\xfe"}')
    assert status == 400 and doc["__type"] == "SerializationException", doc
    assert client_for(server, "ecs").list_clusters()["clusterArns"] == []


def test_integers_beyond_their_type_are_refused(server):
    for value in (2**63, 2**31, 10**40, 1.5):
        body = json.dumps({"serviceName": "s", "taskDefinition": "t", "desiredCount": value})
        status, doc = ecs_raw(server, "CreateService", body.encode())
        assert status == 400 and doc["__type"] == "SerializationException", (value, doc)
    logs = client_for(server, "logs")
    logs.create_log_group(logGroupName="g")
    status, _, payload = post(
        server,
        json.dumps({"logGroupName": "g", "retentionInDays": 2**64}).encode(),
        {
            "X-Amz-Target": "Logs_20140328.PutRetentionPolicy",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert status == 400 and json.loads(payload)["__type"] == "SerializationException"


def test_describe_clusters_respects_ecs_limit_of_100_names_quickly(server):
    names = [f"cluster-{i}" for i in range(50_000)]
    started = time.perf_counter()
    status, _, payload = post(
        server,
        json.dumps({"clusters": names}).encode(),
        {
            "X-Amz-Target": f"{ECS_TARGET}.DescribeClusters",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert time.perf_counter() - started < 5
    assert status == 400
    assert len(payload) < 1000
    assert json.loads(payload) == {
        "__type": "InvalidParameterException",
        "message": "clusters can have at most 100 items.",
    }
    ecs = client_for(server, "ecs")
    assert len(ecs.describe_clusters(clusters=names[:100])["failures"]) == 100


def test_long_values_are_cut_in_validation_messages(server):
    ssm = client_for(server, "ssm")
    with pytest.raises(ClientError) as err:
        ssm.get_parameters(Names=["x" * 5000] * 11)
    code, message = aws_error(err)
    assert code == "ValidationException"
    assert len(message) < 10_000


@pytest.mark.parametrize(
    "token",
    [
        "garbage!",
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b"[1, 2, 3]").decode(),
        base64.urlsafe_b64encode(b"[99999999999999999999999]").decode(),
        base64.urlsafe_b64encode(b'["\\ud800"]').decode(),
    ],
)
def test_forged_next_tokens_are_each_services_error(server, token):
    with pytest.raises(ClientError) as err:
        client_for(server, "ecs").list_clusters(nextToken=token)
    assert aws_error(err) == ("InvalidParameterException", "Invalid nextToken.")
    with pytest.raises(ClientError) as err:
        client_for(server, "ecs").list_task_definitions(nextToken=token)
    assert aws_error(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        client_for(server, "ssm").describe_parameters(NextToken=token)
    assert aws_error(err) == ("InvalidNextToken", "The specified token isn't valid.")
    with pytest.raises(ClientError) as err:
        client_for(server, "secretsmanager").list_secrets(NextToken=token)
    assert aws_error(err)[0] == "InvalidNextTokenException"
    with pytest.raises(ClientError) as err:
        client_for(server, "logs").describe_log_groups(nextToken=token)
    assert aws_error(err)[0] == "InvalidParameterException"


def test_tokens_still_page(server):
    ecs = client_for(server, "ecs")
    for i in range(5):
        ecs.create_cluster(clusterName=f"c{i}")
    pages = list(ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert sum(len(p["clusterArns"]) for p in pages) == 5


def test_xml_error_messages_with_control_characters_are_well_formed(server):
    form = {"Action": "AssumeRole", "Version": "2011-06-15", "DurationSeconds": "\x01\x02\x1b"}
    status, _, payload = post(
        server, urlencode(form).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 400
    root = ElementTree.fromstring(payload)  # raises if not well formed
    assert root.tag.endswith("ErrorResponse")


@pytest.mark.parametrize("region", ["nowhere", "eu-nowhere", "a" * 60])
def test_bad_region_in_the_credential_scope_is_refused_as_aws_does(server, region):
    with pytest.raises(ClientError) as err:
        client_for(server, "ecs", region=region).list_clusters()
    code, message = aws_error(err)
    assert code == "InvalidSignatureException"
    assert message.startswith("Credential should be scoped to a valid region")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as err:
        client_for(server, "sts", region=region).get_caller_identity()
    assert aws_error(err)[0] == "SignatureDoesNotMatch"


def test_invalid_utf8_in_the_scope_region_is_refused(server):
    import socket

    body = b"{}"
    request = (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"X-Amz-Target: " + ECS_TARGET.encode() + b".ListClusters\r\n"
        b"Content-Type: application/x-amz-json-1.1\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-\xff\xfe-1/ecs/aws4_request, "
        b"SignedHeaders=host, Signature=00\r\n"
        b"Content-Length: 2\r\n\r\n" + body
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"403", data
    assert json.loads(payload)["__type"] == "InvalidSignatureException"


def test_a_content_encoding_the_body_does_not_match_is_a_4xx_in_aws_shape(server):
    status, headers, payload = post(
        server,
        b'{"clusterName": "gz"}',
        {
            "X-Amz-Target": f"{ECS_TARGET}.CreateCluster",
            "Content-Type": "application/x-amz-json-1.1",
            "Content-Encoding": "gzip",
        },
    )
    assert status == 400
    assert json.loads(payload)["__type"] == "SerializationException"
    assert client_for(server, "ecs").list_clusters()["clusterArns"] == []


@pytest.mark.parametrize("encoding", ["br", "deflate", "x-custom"])
def test_any_content_encoding_is_refused_in_aws_shape_before_aiohttp_decodes(server, encoding):
    # aiohttp would answer `br` (no Brotli installed) in plain text before any middleware.
    status, doc = ecs_raw(
        server, "CreateCluster", b'{"clusterName": "zipped"}', **{"Content-Encoding": encoding}
    )
    assert (status, doc["__type"]) == (400, "SerializationException")
    assert client_for(server, "ecs").list_clusters()["clusterArns"] == []


def test_json_requests_by_another_method_or_content_type_run_nothing(server):
    target = {"X-Amz-Target": f"{ECS_TARGET}.CreateCluster"}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request(
            "GET",
            "/",
            body=b'{"clusterName": "got"}',
            headers={**target, "Content-Type": "application/x-amz-json-1.1"},
        )
        resp = conn.getresponse()
        assert resp.status == 405
        assert json.loads(resp.read())["__type"] == "UnknownOperationException"
    finally:
        conn.close()
    for content_type in ("text/plain", "multipart/form-data; boundary=x", ""):
        status, _, payload = post(
            server, b'{"clusterName": "typed"}', {**target, "Content-Type": content_type}
        )
        assert status == 415
        assert json.loads(payload)["__type"] == "UnsupportedMediaTypeException"
    assert client_for(server, "ecs").list_clusters()["clusterArns"] == []


def test_too_large_a_body_is_answered_in_aws_shape(server):
    status, _, payload = post(
        server,
        b'{"a": "' + b"x" * (17 * 1024 * 1024) + b'"}',
        {
            "X-Amz-Target": f"{ECS_TARGET}.ListClusters",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert status == 413
    assert json.loads(payload)["__type"] == "RequestEntityTooLarge"
    status, _, payload = post(server, b"Action=GetCallerIdentity&" + b"x" * (17 * 1024 * 1024), {})
    assert status == 413
    assert ElementTree.fromstring(payload).tag.endswith("ErrorResponse")


def test_unicode_digits_in_a_revision_are_ecs_client_errors(server):
    ecs = client_for(server, "ecs")
    ecs.register_task_definition(
        family="f", containerDefinitions=[{"name": "a", "image": "i", "memory": 64}]
    )
    for ref in ("f:\uff11", "f:\u00b2", "f:99999999999999999999999"):
        with pytest.raises(ClientError) as err:
            ecs.describe_task_definition(taskDefinition=ref)
        assert aws_error(err)[0] == "ClientException", ref
        with pytest.raises(ClientError) as err:
            ecs.deregister_task_definition(taskDefinition=ref)
        assert aws_error(err)[0] == "ClientException", ref
    ssm = client_for(server, "ssm")
    ssm.put_parameter(Name="p", Value="v", Type="String")
    answer = ssm.get_parameters(Names=["p:99999999999999999999999", "p:\uff11"])
    assert answer["Parameters"] == []
    assert len(answer["InvalidParameters"]) == 2


def test_a_cluster_setting_without_value_is_refused(server):
    ecs = client_for(server, "ecs")
    ecs.create_cluster(clusterName="c")
    for settings in ([{"name": "containerInsights"}], [{"value": "enabled"}]):
        status, doc = ecs_raw(
            server,
            "UpdateClusterSettings",
            json.dumps({"cluster": "c", "settings": settings}).encode(),
        )
        assert status == 400 and doc["__type"] == "InvalidParameterException", doc
        status, doc = ecs_raw(
            server, "CreateCluster", json.dumps({"clusterName": "d", "settings": settings}).encode()
        )
        assert status == 400 and doc["__type"] == "InvalidParameterException", doc
    assert [c.rsplit("/", 1)[1] for c in ecs.list_clusters()["clusterArns"]] == ["c"]
