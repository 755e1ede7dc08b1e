"""The metadata endpoint's JSON from a task document: AWS's field names and shapes."""

from __future__ import annotations

from ecsd.runtime.base import ContainerState
from ecsd.taskside.metadata import container_json, task_json

ARN = "arn:aws:ecs:us-east-1:000000000000:task/default/abc"
CLUSTER = "arn:aws:ecs:us-east-1:000000000000:cluster/default"


def _doc(status: str = "ACTIVATING") -> tuple[dict, dict]:
    doc = {
        "taskArn": ARN,
        "clusterArn": CLUSTER,
        "lastStatus": status,
        "desiredStatus": "RUNNING",
        "cpu": "512",
        "memory": "1024",
        "availabilityZone": "us-east-1a",
        "launchType": "FARGATE",
        "createdAt": 1_700_000_000.5,
        "pullStartedAt": 1_700_000_001.0,
        "pullStoppedAt": 1_700_000_002.0,
        "attachments": [],
        "containers": [{"name": "app", "lastStatus": "PENDING", "containerArn": "arn:c"}],
    }
    rt = {
        "family": "web",
        "revision": 3,
        "ip": "172.17.0.5",
        "restartCounts": {"app": 2},
        "containers": [
            {
                "name": "app",
                "image": "nginx:1",
                "cpu": 128,
                "memory": 256,
                "restartPolicy": {"enabled": True},
            }
        ],
    }
    return doc, rt


def _state(running: bool = True) -> ContainerState:
    return ContainerState(
        id="c1",
        name="/ecs-web-3-app-abc",
        image="nginx:1",
        labels={},
        status="running" if running else "exited",
        running=running,
        exit_code=None if running else 1,
        oom_killed=False,
        error=None,
        started_at=1_700_000_003.0,
        finished_at=None if running else 1_700_000_009.0,
        health=None,
        image_id="sha256:abc",
        image_digest=None,
    )


def test_the_task_shape():
    doc, rt = _doc()
    out = task_json(doc, rt, {"app": _state()}, cluster=CLUSTER)
    assert out["Cluster"] == CLUSTER and out["TaskARN"] == ARN
    assert out["Family"] == "web" and out["Revision"] == "3"
    assert out["Limits"] == {"CPU": 0.5, "Memory": 1024}
    assert out["KnownStatus"] == "RUNNING"  # every container runs: the agent knows
    assert out["PullStartedAt"] == "2023-11-14T22:13:21Z"
    (c,) = out["Containers"]
    assert c["DockerId"] == "c1" and c["DockerName"] == "ecs-web-3-app-abc"
    assert c["ImageID"] == "sha256:abc" and c["KnownStatus"] == "RUNNING"
    assert c["Limits"] == {"CPU": 128, "Memory": 256}
    assert c["Labels"]["com.amazonaws.ecs.task-definition-version"] == "3"
    assert c["RestartCount"] == 2
    net = c["Networks"][0]
    assert net["IPv4Addresses"] == ["172.17.0.5"] and net["AttachmentIndex"] == 0
    assert net["PrivateDNSName"] == "ip-172-17-0-5.ec2.internal"


def test_v3_has_no_v4_network_extras_and_an_exited_container_shows_its_code():
    doc, rt = _doc("RUNNING")
    c = container_json(doc, rt, "app", _state(running=False), cluster=CLUSTER, v4=False)
    assert set(c["Networks"][0]) == {"NetworkMode", "IPv4Addresses"}
    assert c["KnownStatus"] == "STOPPED" and c["ExitCode"] == 1
    assert c["FinishedAt"].endswith("Z")
