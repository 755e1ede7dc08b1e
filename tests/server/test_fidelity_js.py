"""The ECS items of issue #12 through the JavaScript SDK v3 (@aws-sdk/client-ecs), so that
a serialisation bug botocore would mirror cannot hide: each scenario is a small node
script in tests/js/scenarios/ run against a real `ecsd serve` (with no reachable
container engine: these are API scenarios). scripts/prepare-js.sh installs node and the
SDK (`npm ci`); a missing one fails here with the way to get it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_process import EcsdProcess

JS = Path(__file__).resolve().parent.parent / "js"
ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EcsdProcess]:
    base = tmp_path_factory.mktemp("js")
    proc = EcsdProcess(
        base / "data", None, "--docker-host", f"unix://{base}/no-engine.sock"
    ).start()
    yield proc
    proc.close()


def scenario(server: EcsdProcess, name: str) -> Any:
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript SDK tests: run scripts/prepare-js.sh"
    assert (JS / "node_modules" / "@aws-sdk" / "client-ecs").is_dir(), (
        "the JavaScript SDK is not installed: run scripts/prepare-js.sh (npm ci in tests/js)"
    )
    server.reset()
    proc = subprocess.run(
        [node, str(JS / "scenarios" / f"{name}.mjs")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ECSD_URL": server.url, "AWS_REGION": "us-east-1"},
        cwd=JS,
    )
    assert proc.returncode == 0, f"{name}.mjs failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


def test_capacity_providers_container_instances_and_the_ec2_launch_type(server):
    out = scenario(server, "capacity")
    assert out["runTask"] == out["describeTasks"] == "FARGATE_SPOT"
    assert isinstance(out["createdAt"]["date"], float | int)
    assert out["ec2"] == {
        "name": "InvalidParameterException",
        "message": "No Container Instances were found in your cluster.",
        "status": 400,
    }
    assert [p["name"] for p in out["providers"]] == ["FARGATE", "FARGATE_SPOT"]
    assert out["providers"][0]["capacityProviderArn"] == (
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:capacity-provider/FARGATE"
    )
    assert out["listInstances"] == []
    assert out["describeInstances"]["containerInstances"] == []
    assert out["describeInstances"]["failures"] == [
        {
            "arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:container-instance/default/abc",
            "reason": "MISSING",
        }
    ]
    assert out["validation"]["name"] == "InvalidParameterException"
    assert out["validation"]["message"] == (
        "1 validation error detected: Value 'BOGUS' at 'launchType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL, "
        "MANAGED_INSTANCES]"
    )


def test_task_protection(server):
    out = scenario(server, "protection")
    missing = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/default/" + "0" * 32
    assert out["update"]["protectedTasks"] == []
    assert [(f["arn"], f["reason"]) for f in out["update"]["failures"]] == [
        (out["arn"], "TASK_NOT_VALID"),
        (missing, "MISSING"),
    ]
    assert out["get"]["failures"][0]["reason"] == "TASK_NOT_VALID"
    assert out["tooLong"]["name"] == "InvalidParameterException"


def test_service_deployments(server):
    out = scenario(server, "deployments")
    newest, first = out["listed"]
    assert newest["serviceDeploymentArn"].startswith(
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:service-deployment/default/api/"
    )
    assert isinstance(newest["createdAt"]["date"], float | int)
    assert out["page"] == {"n": 1, "nextToken": "string"}
    [described] = out["described"]["serviceDeployments"]
    assert described["sourceServiceRevisions"][0]["arn"] == first["targetServiceRevisionArn"]
    assert described["targetServiceRevision"]["requestedTaskCount"] == 0
    assert out["described"]["failures"] == [
        {"arn": newest["serviceDeploymentArn"] + "0", "reason": "MISSING"}
    ]
    [revision] = out["revisions"]["serviceRevisions"]
    assert revision["launchType"] == "FARGATE"
    assert revision["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == ["subnet-1"]
    assert out["stopMissing"]["name"] == "ServiceDeploymentNotFoundException"


def test_partitions(server):
    out = scenario(server, "partition")
    assert out["cluster"] == f"arn:aws-cn:ecs:cn-north-1:{ACCOUNT}:cluster/cn"
    assert out["provider"].startswith("arn:aws-cn:ecs:cn-north-1:")


def test_delete_task_definitions_and_identifiers_in_ecs_words(server):
    out = scenario(server, "taskdefs")
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:"
    deleted = out["deleted"]
    assert [(d["taskDefinitionArn"], d["status"]) for d in deleted["taskDefinitions"]] == [
        (arn + "2", "DELETE_IN_PROGRESS")
    ]
    assert isinstance(deleted["taskDefinitions"][0]["deleteRequestedAt"]["date"], float | int)
    assert deleted["failures"] == [
        {
            "arn": arn + "1",
            "reason": "The specified task definition is still in ACTIVE status. Please "
            "deregister the target and try again.",
        },
        {
            "arn": "web:9",
            "reason": "The specified task definition does not exist. Specify a valid "
            "account, family, revision and try again.",
        },
        {
            "arn": "web",
            "reason": "The specified task definition identifier is invalid. Specify a valid "
            "name or ARN and try again.",
        },
    ]
    assert out["include"] == {
        "name": "InvalidParameterException",
        "message": "include should be one of [ATTACHMENTS,CONFIGURATIONS,SETTINGS,STATISTICS,TAGS]",
        "status": 400,
    }
    assert out["separators"] == {
        "name": "InvalidParameterException",
        "message": "Invalid identifier: Unexpected number of separators",
        "status": 400,
    }
