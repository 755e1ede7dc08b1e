"""HTTPS listeners end to end: a real `ecsd serve`, a certificate issued by ecsd's CA
after DNS validation, an HTTPS listener serving it with SNI in front of a plain local
HTTP backend, and an HTTP listener redirecting to it — checked with curl verifying
against `GET /_ecsd/ca.pem`."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

from tests.lb.harness import free_ports


class Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def backend():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def issued(client, r53, zone_id, *domains):
    acm = client("acm")
    arn = acm.request_certificate(
        DomainName=domains[0], SubjectAlternativeNames=list(domains), ValidationMethod="DNS"
    )["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": o["ResourceRecord"]["Name"],
                        "Type": "CNAME",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": o["ResourceRecord"]["Value"]}],
                    },
                }
                for o in options
            ]
        },
    )
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED"
    return arn


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("curl")
    assert exe, "curl must be installed for the HTTPS tests (apt-get install -y curl)"
    return subprocess.run([exe, "-sS", "--max-time", "10", *args], capture_output=True, text=True)


def until(fn, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        out = fn()
        if out or time.monotonic() > deadline:
            return out
        time.sleep(0.2)


def test_https_listener_serves_the_acm_certificate_with_sni_and_http_redirects(
    client, ecsd, backend, tmp_path
):
    https_port, http_port = free_ports(2)
    r53 = client("route53", "us-east-1")
    elb = client("elbv2")
    zone_id = r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    default_cert = issued(client, r53, zone_id, "app.example.com")
    sni_cert = issued(client, r53, zone_id, "api.example.com", "*.api.example.com")
    ca = tmp_path / "ca.pem"
    with urllib.request.urlopen(f"{ecsd.url}/_ecsd/ca.pem") as resp:
        ca.write_bytes(resp.read())

    lb = elb.create_load_balancer(Name="web", Subnets=["subnet-a", "subnet-b"])["LoadBalancers"][0]
    tg = elb.create_target_group(
        Name="echo", Protocol="HTTP", Port=backend, VpcId="vpc-1", TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": backend}])
    with pytest.raises(ClientError) as err:
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTPS",
            Port=https_port,
            Certificates=[{"CertificateArn": default_cert + "-nope"}],
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )
    assert aws_error(err)[0] == "CertificateNotFound"
    https = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTPS",
        Port=https_port,
        Certificates=[{"CertificateArn": default_cert}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )["Listeners"][0]
    assert https["SslPolicy"] == "ELBSecurityPolicy-2016-08"
    elb.add_listener_certificates(
        ListenerArn=https["ListenerArn"], Certificates=[{"CertificateArn": sni_cert}]
    )
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=http_port,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {
                    "Protocol": "HTTPS",
                    "Port": str(https_port),
                    "Host": "#{host}",
                    "Path": "/#{path}",
                    "Query": "#{query}",
                    "StatusCode": "HTTP_301",
                },
            }
        ],
    )

    def get(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return curl(
            "--cacert",
            str(ca),
            "--resolve",
            f"{name}:{https_port}:127.0.0.1",
            "--resolve",
            f"{name}:{http_port}:127.0.0.1",
            "-w",
            "\n%{ssl_verify_result} %{http_code}",
            *extra,
        )

    out = until(
        lambda: (
            (
                r := get("app.example.com", f"https://app.example.com:{https_port}/hi?x=1")
            ).stdout.endswith(" 200")
            and r
        )
    )
    assert out, "the HTTPS listener never answered 200"
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "0 200"
    seen = json.loads(body)
    assert seen["path"] == "/hi?x=1"
    assert seen["headers"]["X-Forwarded-Proto"] == "https"
    assert seen["headers"]["X-Forwarded-Port"] == str(https_port)

    # SNI: the other certificate for its names (wildcard too), the default otherwise
    for name, subject in (
        ("api.example.com", "api.example.com"),
        ("v1.api.example.com", "api.example.com"),
        ("app.example.com", "app.example.com"),
    ):
        verbose = get(name, "-v", "-o", "/dev/null", f"https://{name}:{https_port}/")
        assert verbose.returncode == 0, verbose.stderr
        assert f"subject: CN={subject}" in verbose.stderr
    wrong = get("other.example.org", f"https://other.example.org:{https_port}/")
    assert wrong.returncode != 0  # the default certificate does not name it: curl refuses

    # HTTP → HTTPS, followed and verified
    followed = get("app.example.com", "-L", f"http://app.example.com:{http_port}/r?q=2")
    body, status = followed.stdout.rsplit("\n", 1)
    assert status == "0 200" and json.loads(body)["path"] == "/r?q=2"
    head = get("app.example.com", "-o", "/dev/null", f"http://app.example.com:{http_port}/r")
    assert head.stdout.endswith(" 301")

    # ACM sees the listener using its certificate and keeps it
    acm = client("acm")
    detail = acm.describe_certificate(CertificateArn=default_cert)["Certificate"]
    assert detail["InUseBy"] == [lb["LoadBalancerArn"]]
    with pytest.raises(ClientError) as err:
        acm.delete_certificate(CertificateArn=default_cert)
    assert aws_error(err)[0] == "ResourceInUseException"
