"""Reaching ecsd's port is not owning the machine, and slow clients cannot starve it:
Host and cross-site checks, SigV4 authentication, timeouts and the connection bound,
private data dir files and the warning on an exposed address — on real `ecsd serve`."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import stat
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from click.testing import CliRunner
from conftest import CREDENTIALS, REGION, AwsCli, aws_error, client_for
from server_process import EcsdProcess

from ecsd import cli

ECS_TARGET = "AmazonEC2ContainerServiceV20141113"
KEY, SECRET = "AKIDECSDTEST", "ecsd-test-secret"


def request(
    server: EcsdProcess,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request whose headers (Host among them) are exactly `headers`."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        given = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in given.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def ecs_call(
    server: EcsdProcess, operation: str, params: dict[str, Any], **headers: str
) -> tuple[int, dict[str, Any]]:
    status, _, body = request(
        server,
        "POST",
        "/",
        json.dumps(params).encode(),
        {
            "X-Amz-Target": f"{ECS_TARGET}.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            **headers,
        },
    )
    return status, json.loads(body)


def cluster_names(server: EcsdProcess) -> list[str]:
    return [
        arn.rsplit("/", 1)[1] for arn in client_for(server, "ecs").list_clusters()["clusterArns"]
    ]


# --- Host: DNS rebinding -------------------------------------------------------------


def test_a_rebound_host_name_is_refused_in_the_aws_error_shape(ecsd):
    client_for(ecsd, "ecs").create_cluster(clusterName="keep")
    status, answer = ecs_call(
        ecsd, "DeleteCluster", {"cluster": "keep"}, Host=f"attacker.example:{ecsd.port}"
    )
    assert status == 403
    assert answer["__type"] == "AccessDeniedException"
    assert "attacker.example" in answer["message"]
    status, _, body = request(
        ecsd,
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Host": "attacker.example", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body and b"<ErrorResponse" in body
    status, _, _ = request(ecsd, "POST", "/_ecsd/reset", headers={"Host": "attacker.example:80"})
    assert status == 403
    assert cluster_names(ecsd) == ["keep"]  # nothing was deleted or reset


def test_loopback_names_and_ip_literals_are_served(ecsd):
    for host in (f"localhost:{ecsd.port}", f"[::1]:{ecsd.port}", "127.0.0.1", "192.0.2.7"):
        status, answer = ecs_call(ecsd, "ListClusters", {}, Host=host)
        assert status == 200, (host, answer)


def test_allowed_host_names_are_served(tmp_path: Path):
    server = EcsdProcess(
        tmp_path / "data",
        None,
        "--allowed-host",
        "ecsd.test",
        env={"ECSD_ALLOWED_HOSTS": "ignored.because.the.flag.wins"},
    )
    env_server = EcsdProcess(
        tmp_path / "data2", None, env={"ECSD_ALLOWED_HOSTS": "one.test,two.test"}
    )
    try:
        server.start()
        env_server.start()
        assert ecs_call(server, "ListClusters", {}, Host=f"ecsd.test:{server.port}")[0] == 200
        assert ecs_call(server, "ListClusters", {}, Host="other.test")[0] == 403
        assert ecs_call(env_server, "ListClusters", {}, Host="two.test:1")[0] == 200
        assert ecs_call(env_server, "ListClusters", {}, Host="three.test")[0] == 403
    finally:
        server.close()
        env_server.close()


# --- Cross-site requests ---------------------------------------------------------------


def test_a_cross_site_form_post_cannot_reset(ecsd):
    client_for(ecsd, "ecs").create_cluster(clusterName="keep")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # What a hostile page's <form method=post action=http://127.0.0.1:4600/_ecsd/reset> sends.
    status, _, body = request(
        ecsd,
        "POST",
        "/_ecsd/reset",
        b"",
        {**form, "Origin": "http://attacker.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert status == 403
    assert json.loads(body)["__type"] == "AccessDeniedException"
    # Older browsers send neither Origin nor Sec-Fetch-Site: the form content type is enough.
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data"):
        status, _, _ = request(ecsd, "POST", "/_ecsd/reset", b"", {"Content-Type": content_type})
        assert status == 403, content_type
    assert cluster_names(ecsd) == ["keep"]
    status, _, _ = request(ecsd, "POST", "/_ecsd/reset", b"", {"Content-Type": "application/json"})
    assert status == 200
    assert cluster_names(ecsd) == []


def test_cross_site_api_calls_are_refused_and_same_origin_ones_served(ecsd):
    status, answer = ecs_call(
        ecsd, "CreateCluster", {"clusterName": "x"}, Origin="http://attacker.example"
    )
    assert (status, answer["__type"]) == (403, "AccessDeniedException")
    # A page on another port of the same machine is another origin (though the same site).
    status, _ = ecs_call(
        ecsd, "CreateCluster", {"clusterName": "x"}, Origin="http://127.0.0.1:8080"
    )
    assert status == 403
    assert ecs_call(ecsd, "ListClusters", {}, **{"Sec-Fetch-Site": "same-site"})[0] == 403
    assert cluster_names(ecsd) == []
    own = f"http://127.0.0.1:{ecsd.port}"
    status, _ = ecs_call(
        ecsd,
        "CreateCluster",
        {"clusterName": "x"},
        Origin=own,
        **{"Sec-Fetch-Site": "same-origin"},
    )
    assert status == 200
    # A page ecsd serves under another of its names (a console, later) is ecsd itself.
    status, _ = ecs_call(
        ecsd,
        "CreateCluster",
        {"clusterName": "y"},
        Origin=f"http://localhost:{ecsd.port}",
        **{"Sec-Fetch-Site": "cross-site"},
    )
    assert status == 200
    assert sorted(cluster_names(ecsd)) == ["x", "y"]


# --- Authentication ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def authed(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("auth")
    keyfile = base / "keys"
    keyfile.write_text("# keys for the test\nAKIDFROMFILE:file-secret\n")
    server = EcsdProcess(
        base / "data",
        None,
        "--auth",
        "--access-key",
        f"{KEY}:{SECRET}",
        "--access-keys-file",
        str(keyfile),
        "--docker-host",
        f"unix://{base}/no-engine.sock",
    ).start()
    yield server
    server.close()


def boto(server: EcsdProcess, service: str, key: str = KEY, secret: str = SECRET) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def test_auth_serves_requests_signed_with_a_configured_key(authed):
    assert boto(authed, "ecs").create_cluster(clusterName="signed")["cluster"]["status"]
    assert boto(authed, "sts").get_caller_identity()["Account"] == "000000000000"
    from_file = boto(authed, "ecs", "AKIDFROMFILE", "file-secret")
    assert "signed" in json.dumps(from_file.list_clusters())
    # The aws CLI, with the right key in its environment; and with a wrong one.
    aws = AwsCli(authed)
    good = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
    with mock.patch.dict(CREDENTIALS, good):
        assert aws.json("sts", "get-caller-identity")["Account"] == "000000000000"
        assert aws.json("ecs", "list-clusters")["clusterArns"]
    with mock.patch.dict(CREDENTIALS, {**good, "AWS_SECRET_ACCESS_KEY": "wrong"}):
        refused = aws.run("ecs", "list-clusters", check=False)
    assert refused.returncode != 0
    assert "InvalidSignatureException" in refused.stderr


def test_auth_refuses_wrong_secret_unknown_key_and_unsigned(authed):
    cases: list[tuple[Callable[[], Any], str, str]] = [
        (
            lambda: boto(authed, "ecs", secret="wrong").list_clusters(),
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
        ),
        (
            lambda: boto(authed, "ecs", key="AKIDUNKNOWN").list_clusters(),
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
        (
            lambda: boto(authed, "sts", secret="wrong").get_caller_identity(),
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ),
        (
            lambda: boto(authed, "sts", key="AKIDUNKNOWN").get_caller_identity(),
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        (
            lambda: boto3.client(
                "ecs",
                endpoint_url=authed.url,
                region_name=REGION,
                config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
            ).list_clusters(),
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
    ]
    for call, code, text in cases:
        with pytest.raises(ClientError) as err:
            call()
        got_code, message = aws_error(err)
        assert got_code == code
        assert message.startswith(text)
    with pytest.raises(ClientError) as err:
        boto(authed, "ecs", secret="wrong").create_cluster(clusterName="forged")
    assert "forged" not in json.dumps(boto(authed, "ecs").list_clusters())


def test_auth_refuses_an_old_signature_as_expired(authed):
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=20)
    req = AWSRequest(
        method="POST",
        url=f"{authed.url}/",
        data=b"{}",
        headers={
            "X-Amz-Target": f"{ECS_TARGET}.ListClusters",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=old):
        SigV4Auth(Credentials(KEY, SECRET), "ecs", REGION).add_auth(req)
    headers = {k: v for k, v in req.headers.items() if k.lower() != "host"}
    status, _, body = request(authed, "POST", "/", b"{}", headers)
    answer = json.loads(body)
    assert status == 400
    assert answer["__type"] == "InvalidSignatureException"
    assert answer["message"].startswith(f"Signature expired: {req.headers['X-Amz-Date']} is now")


def test_auth_guards_the_admin_routes_but_not_health(authed):
    boto(authed, "ecs").create_cluster(clusterName="survives")
    status, _, body = request(
        authed, "POST", "/_ecsd/reset", b"", {"Content-Type": "application/json"}
    )
    assert status == 400
    assert json.loads(body)["__type"] == "MissingAuthenticationTokenException"
    assert "survives" in json.dumps(boto(authed, "ecs").list_clusters())
    status, _, _ = request(authed, "GET", "/_ecsd/health")
    assert status == 200
    # Signed like any AWS call (the scope's service name is free: "ecsd" here).
    req = AWSRequest(
        method="POST",
        url=f"{authed.url}/_ecsd/reset",
        data=b"",
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(Credentials(KEY, SECRET), "ecsd", REGION).add_auth(req)
    headers = {k: v for k, v in req.headers.items() if k.lower() != "host"}
    status, _, _ = request(authed, "POST", "/_ecsd/reset", b"", headers)
    assert status == 200
    assert boto(authed, "ecs").list_clusters()["clusterArns"] == []


def test_auth_off_serves_any_key_and_unsigned_requests(ecsd):
    assert boto(ecsd, "ecs", "anything", "at-all").list_clusters()["clusterArns"] == []
    unsigned = boto3.client(
        "sts",
        endpoint_url=ecsd.url,
        region_name=REGION,
        config=Config(signature_version=UNSIGNED),
    )
    assert unsigned.get_caller_identity()["Account"] == "000000000000"


# --- Slow clients ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("impatient")
    server = EcsdProcess(
        base / "data",
        None,
        "--header-timeout",
        "2",
        "--body-timeout",
        "2",
        "--idle-timeout",
        "3",
        "--max-connections",
        "8",
        "--docker-host",
        f"unix://{base}/no-engine.sock",
    ).start()
    yield server
    server.close()


def closed_after(sock: socket.socket, trickle: bytes, limit: float) -> tuple[float, bytes]:
    """Send `trickle` a byte every 0.25 s until the server closes: (seconds, answer)."""
    start = time.monotonic()
    sock.settimeout(0.25)
    answer = b""
    for i in range(int(limit / 0.25)):
        try:
            if i < len(trickle):
                sock.sendall(trickle[i : i + 1])
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        answer += chunk
    return time.monotonic() - start, answer


def test_headers_sent_a_byte_at_a_time_are_cut_off_while_others_are_served(impatient):
    ecs = client_for(impatient, "ecs")
    request_line = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{impatient.port}\r\n"
    trickle = (request_line + "X-Slow: loris\r\n" * 10).encode()
    with ThreadPoolExecutor(1) as pool:
        slow = socket.create_connection(("127.0.0.1", impatient.port))
        try:
            outcome = pool.submit(closed_after, slow, trickle, 8)
            time.sleep(0.5)
            start = time.monotonic()
            assert ecs.list_clusters()["clusterArns"] == []  # served meanwhile, at once
            served_in = time.monotonic() - start
            seconds, answer = outcome.result()
        finally:
            slow.close()
    assert served_in < 1, served_in
    assert 1.5 <= seconds < 3.5, seconds
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_connection_that_sends_nothing_is_closed(impatient):
    with socket.create_connection(("127.0.0.1", impatient.port)) as idle:
        seconds, _ = closed_after(idle, b"", limit=8)
    assert seconds < 4, seconds


def test_a_trickling_body_is_cut_off(impatient):
    with socket.create_connection(("127.0.0.1", impatient.port)) as slow:
        slow.sendall(
            (
                f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{impatient.port}\r\n"
                f"X-Amz-Target: {ECS_TARGET}.ListClusters\r\n"
                "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n"
            ).encode()
        )
        seconds, answer = closed_after(slow, b" " * 100, limit=8)
    assert seconds < 5, seconds  # the 2 s body timeout, then at most 2 s of lingering
    assert answer.startswith(b"HTTP/1.1 408")


def test_an_idle_keep_alive_connection_is_closed(impatient):
    conn = http.client.HTTPConnection("127.0.0.1", impatient.port, timeout=10)
    conn.request("GET", "/_ecsd/health")
    assert conn.getresponse().read()
    sock = conn.sock
    assert sock is not None
    start = time.monotonic()
    sock.settimeout(5)
    assert sock.recv(1) == b""  # the server closed it
    assert 2.5 < time.monotonic() - start < 4.5
    conn.close()


def test_connections_over_the_bound_are_answered_503_until_one_closes(impatient):
    held = [socket.create_connection(("127.0.0.1", impatient.port)) for _ in range(8)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", impatient.port)) as extra:
            extra.settimeout(5)
            assert extra.recv(100).startswith(b"HTTP/1.1 503")
        held.pop().close()
        time.sleep(0.2)
        assert client_for(impatient, "ecs").list_clusters()["clusterArns"] == []
    finally:
        for sock in held:
            sock.close()


# --- The data dir -------------------------------------------------------------------------


def modes(data_dir: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in [data_dir, *data_dir.iterdir()]}


def test_the_data_dir_is_private_on_creation_and_fixed_on_start(tmp_path: Path):
    data = tmp_path / "data"
    server = EcsdProcess(data, None).start()
    try:
        client_for(server, "ssm").put_parameter(Name="/p", Value="v", Type="SecureString")
        found = modes(data)
    finally:
        server.close()
    expected = {"ecsd.db", "ecsd.db-wal", "ecsd.db-shm", "master.key", "instance-id"}
    assert expected <= set(found), found
    assert found["data"] == 0o700
    assert {name: found[name] for name in expected} == dict.fromkeys(expected, 0o600)
    # Loosened by hand (or by an older ecsd): fixed on the next start.
    os.chmod(data, 0o755)
    for name in expected & {p.name for p in data.iterdir()}:
        os.chmod(data / name, 0o644)
    server = EcsdProcess(data, None).start()
    try:
        found = modes(data)
    finally:
        server.close()
    assert found["data"] == 0o700
    assert all(found[name] == 0o600 for name in expected & set(found)), found


# --- The warning on an exposed address ---------------------------------------------------


def test_serving_a_non_loopback_address_without_auth_warns(monkeypatch: pytest.MonkeyPatch):
    started: list[Any] = []
    monkeypatch.setattr("ecsd.server.serve", started.append)
    runner = CliRunner()
    exposed = runner.invoke(cli.main, ["serve", "--host", "0.0.0.0", "--data-dir", "/tmp/x"])
    assert exposed.exit_code == 0, exposed.output
    assert "WARNING: listening on 0.0.0.0" in exposed.stderr
    assert "WITHOUT\nauthentication" in exposed.stderr
    quiet = runner.invoke(
        cli.main,
        ["serve", "--host", "0.0.0.0", "--auth", "--access-key", "a:b", "--data-dir", "/tmp/x"],
    )
    assert quiet.exit_code == 0 and "WARNING" not in quiet.stderr
    local = runner.invoke(cli.main, ["serve", "--host", "127.0.0.1", "--data-dir", "/tmp/x"])
    assert local.exit_code == 0 and "WARNING" not in local.stderr
    assert [s.auth for s in started] == [False, True, False]
    assert started[1].access_keys == (("a", "b"),)
    no_keys = runner.invoke(cli.main, ["serve", "--auth", "--data-dir", "/tmp/x"])
    assert no_keys.exit_code != 0 and "--access-key" in no_keys.stderr
    assert len(started) == 3  # refused before anything was served


def test_auth_and_keys_come_from_the_environment_too(monkeypatch: pytest.MonkeyPatch):
    started: list[Any] = []
    monkeypatch.setattr("ecsd.server.serve", started.append)
    env = {"ECSD_AUTH": "true", "ECSD_ACCESS_KEYS": "a:b c:d,e:f", "ECSD_ALLOWED_HOSTS": "x y"}
    result = CliRunner().invoke(cli.main, ["serve", "--data-dir", "/tmp/x"], env=env)
    assert result.exit_code == 0, result.output
    (settings,) = started
    assert settings.auth is True
    assert settings.access_keys == (("a", "b"), ("c", "d"), ("e", "f"))
    assert settings.allowed_hosts == ("x", "y")
    bad = CliRunner().invoke(
        cli.main, ["serve", "--access-key", "no-secret-here", "--data-dir", "/tmp/x"]
    )
    assert bad.exit_code != 0 and "is not ID:SECRET" in bad.stderr
