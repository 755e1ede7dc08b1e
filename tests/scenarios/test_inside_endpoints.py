"""Inside the task, with real containers: the metadata endpoint (task, container and
stats, read with busybox wget and printed to the log), the task-role credentials that
boto3 inside a container finds with no configuration and uses against this ecsd (with
--auth: the minted keys pass its SigV4 check), and a task without a role that gets none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from conftest import client_for
from server_process import EcsdProcess

from .taskutil import SERVE, awslogs, describe, register, run, until, wait_for, wait_log

pytestmark = pytest.mark.usefixtures("docker_engine")

# Debian's python3-boto3 with the venv's current SDK copied over it (AWS_ENDPOINT_URL).
PYTHON = "ecsd-test/python:sdk"
ROLE = "arn:aws:iam::000000000000:role/app-task-role"


def _messages(logs, group: str, stream: str, marker: str) -> list[str]:
    return wait_log(logs, group, stream, marker, timeout=60)


def test_a_container_reads_its_own_metadata_and_stats(ecs, client, ecsd):
    ecs.create_cluster(clusterName="default")
    script = (
        'echo "TASK $(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task)"; '
        'echo "SELF $(wget -qO- $ECS_CONTAINER_METADATA_URI_V4)"; '
        'echo "STATS $(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/stats)"; '
        'echo "TSTATS $(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task/stats)"; '
        'echo "V3 $(wget -qO- $ECS_CONTAINER_METADATA_URI/task)"; '
        'echo "CREDS [${AWS_CONTAINER_CREDENTIALS_FULL_URI}${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}]"; '
        "echo DONE"
    )
    taskdef = register(
        ecs,
        "meta",
        [
            {
                "name": "app",
                "command": ["sh", "-c", script],
                "memory": 128,
                "logConfiguration": awslogs("/ecs/meta", "meta"),
            }
        ],
    )
    arn = run(ecs, taskdef)
    task_id = arn.rsplit("/", 1)[1]
    lines = _messages(client("logs"), "/ecs/meta", f"meta/app/{task_id}", "DONE")
    by = {m.split(" ", 1)[0]: m.split(" ", 1)[1] for m in lines if " " in m}
    task = json.loads(by["TASK"])
    assert task["TaskARN"] == arn
    assert task["Cluster"] == "arn:aws:ecs:us-east-1:000000000000:cluster/default"
    assert task["Family"] == "meta" and task["Revision"] == "1"
    assert task["Limits"] == {"CPU": 0.25, "Memory": 512}
    assert task["LaunchType"] == "FARGATE" and task["AvailabilityZone"] == "us-east-1a"
    assert task["KnownStatus"] == "RUNNING" and task["DesiredStatus"] == "RUNNING"
    assert task["PullStartedAt"].endswith("Z") and task["PullStoppedAt"].endswith("Z")
    (me,) = task["Containers"]
    assert me["Name"] == "app" and me["Image"] == "ecsd-test/busybox:latest"
    assert me["ImageID"].startswith("sha256:")
    assert me["Labels"]["com.amazonaws.ecs.task-arn"] == arn
    assert me["Labels"]["com.amazonaws.ecs.container-name"] == "app"
    assert me["Limits"]["Memory"] == 128 and me["Type"] == "NORMAL"
    assert me["LogDriver"] == "awslogs" and me["LogOptions"]["awslogs-group"] == "/ecs/meta"
    assert me["Networks"][0]["NetworkMode"] == "awsvpc"
    assert me["Networks"][0]["IPv4Addresses"]
    assert me["ContainerARN"].startswith("arn:aws:ecs:us-east-1:000000000000:container/")
    own = json.loads(by["SELF"])
    assert own["DockerId"] == me["DockerId"] and own["KnownStatus"] == "RUNNING"
    stats = json.loads(by["STATS"])
    assert stats["id"] == me["DockerId"] and stats["memory_stats"]["usage"] > 0
    assert set(json.loads(by["TSTATS"])) == {me["DockerId"]}
    v3 = json.loads(by["V3"])
    assert v3["TaskARN"] == arn and "MACAddress" not in v3["Containers"][0]["Networks"][0]
    assert by["CREDS"] == "[]"  # no task role: no credentials at all
    wait_for(ecs, arn, "STOPPED")


def test_metadata_of_another_task_cannot_be_guessed(ecsd):
    gateway = _gateway()
    for path in ("/v4/0123456789abcdef0123456789abcdef/task", "/v2/credentials/x"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://{gateway}:{ecsd.port}{path}", timeout=5)
        assert err.value.code == 404


def _gateway() -> str:
    out = subprocess.run(
        ["docker", "network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _as_nobody(data_dir: Path) -> tuple[str, ...]:
    """A prefix that runs ecsd as uid 65534 in the Docker socket's group, with no
    capability but reading files (the venv's interpreter lives under /root): no
    CAP_SYS_ADMIN to enter a namespace, no CAP_NET_ADMIN — what a user in the docker
    group has."""
    data_dir.mkdir(mode=0o700)
    os.chown(data_dir, 65534, 65534)
    group = os.stat("/var/run/docker.sock").st_gid
    return (
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        f"--groups={group}",
        "--inh-caps=-all,+dac_read_search",
        "--ambient-caps=+dac_read_search",
        "--bounding-set=-all,+dac_read_search",
    )


def test_boto3_and_the_cli_inside_read_a_securestring_with_the_task_role():
    """As a user without root: the credentials address is 169.254.170.2, which the SDKs
    take over plain HTTP, on ecsd's own internal network (no namespace entered)."""
    # Not under pytest's tmp_path: its parents are root's alone.
    home = Path(tempfile.mkdtemp(prefix="ecsd-nobody-"))
    os.chown(home, 65534, 65534)
    data_dir = home / "data"
    server = EcsdProcess(
        data_dir,
        None,
        "--auth",
        "--access-key",
        "AKIDADMIN:admin-secret",
        prefix=_as_nobody(data_dir),
    )
    try:
        server.start()
        _read_a_securestring_inside(server)
    finally:
        server.close()
        shutil.rmtree(home, ignore_errors=True)


def _read_a_securestring_inside(server: EcsdProcess) -> None:

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIDADMIN",
            aws_secret_access_key="admin-secret",
            config=Config(retries={"max_attempts": 1}),
        )

    ecs, ssm = client("ecs"), client("ssm")
    ecs.create_cluster(clusterName="default")
    ssm.put_parameter(Name="/app/db-password", Value="s3cr3t-inside", Type="SecureString")
    # No configuration at all: the SDK finds ecsd, the region and the credentials.
    script = (
        "import os, boto3, json\n"
        "ssm = boto3.client('ssm')\n"
        "p = ssm.get_parameter(Name='/app/db-password', WithDecryption=True)['Parameter']\n"
        "creds = boto3.Session().get_credentials()\n"
        "import urllib.request, urllib.error\n"
        "uri = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']\n"
        "token = os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']\n"
        "req = urllib.request.Request(uri, headers={'Authorization': token})\n"
        "c = json.load(urllib.request.urlopen(req))\n"
        "print('ROLE', c['RoleArn'], ','.join(sorted(c)), flush=True)\n"
        "try:\n"
        "    urllib.request.urlopen(urllib.request.Request(uri, headers={'Authorization': 'x'}))\n"
        "except urllib.error.HTTPError as e:\n"
        "    print('WRONG', e.code, flush=True)\n"
        "print('VALUE', p['Value'], creds.method, creds.access_key[:4], flush=True)\n"
        "print('URI', uri.split('/v2/')[0], flush=True)\n"
        "me = boto3.client('sts').get_caller_identity()\n"
        "print('WHO', me['Arn'], me['UserId'], flush=True)\n"
    )
    taskdef = register(
        ecs,
        "sdk",
        [
            {
                "name": "app",
                "image": PYTHON,
                "command": [
                    "sh",
                    "-c",
                    'python3 -c "$SCRIPT" && echo "CLI $(aws ssm get-parameter '
                    "--name /app/db-password --with-decryption "
                    '--query Parameter.Value --output text)" && echo "CLIWHO $(aws sts '
                    'get-caller-identity --query Arn --output text)"',
                ],
                "environment": [{"name": "SCRIPT", "value": script}],
                "logConfiguration": awslogs("/ecs/sdk", "sdk"),
            }
        ],
        taskRoleArn=ROLE,
    )
    arn = run(ecs, taskdef)
    task_id = arn.rsplit("/", 1)[1]
    lines = _messages(client("logs"), "/ecs/sdk", f"sdk/app/{task_id}", "VALUE")
    assert "VALUE s3cr3t-inside container-role ASIA" in lines, lines
    # The task role, never the execution role; nothing without the token.
    assert f"ROLE {ROLE} AccessKeyId,Expiration,RoleArn,SecretAccessKey,Token" in lines
    assert "WRONG 404" in lines
    assert f"URI http://169.254.170.2:{server.port}" in lines
    # The aws CLI, unconfigured too.
    lines = _messages(client("logs"), "/ecs/sdk", f"sdk/app/{task_id}", "CLI")
    assert "CLI s3cr3t-inside" in lines, lines
    # STS answers the task's keys as the task role's session, named after the task.
    assumed = f"arn:aws:sts::000000000000:assumed-role/app-task-role/{task_id}"
    who = [x for x in _messages(client("logs"), "/ecs/sdk", f"sdk/app/{task_id}", "WHO")]
    assert any(x.startswith(f"WHO {assumed} AROA") and x.endswith(f":{task_id}") for x in who)
    assert f"CLIWHO {assumed}" in _messages(
        client("logs"), "/ecs/sdk", f"sdk/app/{task_id}", "CLIWHO"
    )
    task = wait_for(ecs, arn, "STOPPED")
    assert task["containers"][0]["exitCode"] == 0


def test_a_restarted_ecsd_serves_running_tasks_at_the_same_addresses(ecsd_factory):
    """The container's environment cannot change: after a kill -9 and a start, its
    metadata and credentials URIs (tokens, the in-namespace listener) work again."""
    server = ecsd_factory()
    ecs = client_for(server, "ecs")
    ecs.create_cluster()
    taskdef = register(ecs, "keep", [{"name": "app", "command": SERVE}], taskRoleArn=ROLE)
    arn = run(ecs, taskdef)
    cid = wait_for(ecs, arn, "RUNNING")["containers"][0]["runtimeId"]
    read = (
        'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task" && echo && '
        'wget -qO- --header "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" '
        '"$AWS_CONTAINER_CREDENTIALS_FULL_URI"'
    )

    def inside() -> tuple[dict, dict]:
        out = subprocess.run(
            ["docker", "exec", cid, "sh", "-c", read], capture_output=True, text=True, timeout=20
        )
        assert out.returncode == 0, out.stderr
        task, creds = out.stdout.strip().split("\n")
        return json.loads(task), json.loads(creds)

    task, creds = inside()
    assert task["TaskARN"] == arn and creds["RoleArn"] == ROLE
    server.kill9()
    server.start()
    assert describe(ecs, arn)["lastStatus"] == "RUNNING"
    again = until(lambda: _try(inside), timeout=20)
    assert again[0]["TaskARN"] == arn
    assert again[1]["AccessKeyId"] == creds["AccessKeyId"]  # same window, same key
    ecs.stop_task(cluster="default", task=arn)
    wait_for(ecs, arn, "STOPPED")


def _try(fn):
    try:
        return fn()
    except AssertionError:
        return None
