"""Image digests with real images: DescribeTasks shows the digest each container ran
(the image ID for a locally built image), and a service deployment runs every one of its
tasks on what its first task resolved, even after the tag is moved to another image
mid-deployment (versionConsistency); a new deployment resolves the tag anew."""

from __future__ import annotations

import subprocess

import pytest

from .taskutil import NETWORK, SERVE, register, service_tasks, until

pytestmark = pytest.mark.usefixtures("docker_engine")

TAG = "ecsd-test/pinned:live"


def _sh(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, check=True
    ).stdout.strip()


def _image_id(ref: str) -> str:
    return _sh("docker", "image", "inspect", "-f", "{{.Id}}", ref)


@pytest.fixture
def two_images():
    """TAG on busybox, and a second, different image to move TAG to."""
    _sh("docker", "tag", "ecsd-test/busybox:latest", TAG)
    _sh(
        "docker",
        "build",
        "-q",
        "-t",
        "ecsd-test/pinned:other",
        "-",
        stdin="FROM ecsd-test/busybox:latest\nLABEL ecsd-test.variant=other\n",
    )
    yield _image_id(TAG), _image_id("ecsd-test/pinned:other")
    subprocess.run(["docker", "rmi", "-f", TAG, "ecsd-test/pinned:other"], capture_output=True)


def _running_digests(ecs, name: str) -> list[str]:
    tasks = [t for t in service_tasks(ecs, name) if t["lastStatus"] == "RUNNING"]
    return [t["containers"][0].get("imageDigest", "") for t in tasks]


def _engine_images(ecs, name: str) -> set[str]:
    ids = set()
    for t in service_tasks(ecs, name):
        if t["lastStatus"] == "RUNNING":
            ids.add(_sh("docker", "inspect", "-f", "{{.Image}}", t["containers"][0]["runtimeId"]))
    return ids


def test_a_deployment_stays_on_its_digest_while_the_tag_moves(ecs, two_images):
    first, other = two_images
    assert first != other
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "pinned", [{"name": "app", "image": TAG, "command": SERVE}])
    ecs.create_service(
        serviceName="pinned",
        taskDefinition=taskdef,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    assert until(lambda: _running_digests(ecs, "pinned") == [first], timeout=60)
    _sh("docker", "tag", "ecsd-test/pinned:other", TAG)  # the tag moves mid-deployment
    ecs.update_service(cluster="default", service="pinned", desiredCount=2)
    assert until(lambda: len(_running_digests(ecs, "pinned")) == 2, timeout=60)
    assert _running_digests(ecs, "pinned") == [first, first]
    assert _engine_images(ecs, "pinned") == {first}  # what really runs, not just shown
    # A new deployment resolves the tag again: the moved tag now counts.
    ecs.update_service(cluster="default", service="pinned", desiredCount=1, forceNewDeployment=True)
    assert until(lambda: _running_digests(ecs, "pinned") == [other], timeout=90)
    assert _engine_images(ecs, "pinned") == {other}
    ecs.update_service(cluster="default", service="pinned", desiredCount=0)
    ecs.delete_service(cluster="default", service="pinned")
