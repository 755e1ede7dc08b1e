"""The seed-004 flow with the real clients: `aws ecr create-repository`, `aws ecr
get-login-password | docker login --username AWS --password-stdin <registry>`, `docker
push` of a locally built image to the repositoryUri — and what the ECR API then says:
DescribeImages shows the pushed digest and tag, an immutable tag refuses a second push,
a lifecycle policy really expires a pushed image, BatchDeleteImage makes a pull fail.

Needs a Docker engine and the test image ecsd-test/busybox (scripts/build-test-images.sh);
nothing is pulled from any other registry. The login goes to a private DOCKER_CONFIG.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from conftest import TEST_IMAGE

pytestmark = pytest.mark.docker


def docker(config: Path, *args: str, input: str | None = None, check: bool = True):
    proc = subprocess.run(
        ["docker", "--config", str(config), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "DOCKER_BUILDKIT": "0"},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {proc.stderr}")
    return proc


def build(config: Path, context: Path, tag: str, content: str) -> str:
    """Build a one-layer image on the test image; its image id (to clean up by)."""
    context.mkdir(parents=True, exist_ok=True)
    (context / "Dockerfile").write_text(f"FROM {TEST_IMAGE}\nRUN echo '{content}' > /stamp\n")
    return docker(config, "build", "-q", "-t", tag, str(context)).stdout.strip()


def test_seed_004_push_shows_in_the_api_and_lifecycle_expires(docker_engine, aws, tmp_path):
    config = tmp_path / "docker-config"
    config.mkdir()
    made = aws.json("ecr", "create-repository", "--repository-name", "test-repos")["repository"]
    uri = made["repositoryUri"]
    registry = uri.split("/", 1)[0]
    password = aws.run("ecr", "get-login-password").stdout
    login = docker(
        config, "login", "--username", "AWS", "--password-stdin", registry, input=password
    )
    assert "Login Succeeded" in login.stdout
    run = uuid.uuid4().hex[:8]
    tags = [f"{uri}:v1", f"{uri}:v2"]
    built: list[str] = []
    try:
        built.append(build(config, tmp_path / "one", tags[0], f"one {run}"))
        built.append(build(config, tmp_path / "two", tags[1], f"two {run}"))
        pushed = {}
        for t in tags:
            out = docker(config, "push", t).stdout
            pushed[t.rsplit(":", 1)[1]] = out.split("digest: ")[1].split()[0]
        details = aws.json("ecr", "describe-images", "--repository-name", "test-repos")
        seen = {d["imageTags"][0]: d for d in details["imageDetails"]}
        assert {k: v["imageDigest"] for k, v in seen.items()} == pushed
        assert all(v["imageSizeInBytes"] > 100_000 for v in seen.values())

        # IMMUTABLE: a second push of v1 with other content is refused.
        aws.run(
            "ecr",
            "put-image-tag-mutability",
            "--repository-name",
            "test-repos",
            "--image-tag-mutability",
            "IMMUTABLE",
        )
        docker(config, "tag", tags[1], tags[0])
        refused = docker(config, "push", tags[0], check=False)
        assert refused.returncode != 0
        got = aws.json(
            "ecr",
            "describe-images",
            "--repository-name",
            "test-repos",
            "--image-ids",
            "imageTag=v1",
        )
        assert got["imageDetails"][0]["imageDigest"] == pushed["v1"]

        # A lifecycle policy keeping one tagged image expires the older push (v1).
        policy = {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPrefixList": ["v"],
                        "countType": "imageCountMoreThan",
                        "countNumber": 1,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
        aws.run(
            "ecr",
            "put-lifecycle-policy",
            "--repository-name",
            "test-repos",
            "--lifecycle-policy-text",
            json.dumps(policy),
        )
        deadline = time.monotonic() + 15
        while True:
            left = aws.json("ecr", "list-images", "--repository-name", "test-repos")["imageIds"]
            if len(left) == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert left == [{"imageDigest": pushed["v2"], "imageTag": "v2"}]
        docker(config, "rmi", tags[0])
        assert docker(config, "pull", tags[0], check=False).returncode != 0

        # BatchDeleteImage: the registry no longer serves it.
        aws.run(
            "ecr",
            "batch-delete-image",
            "--repository-name",
            "test-repos",
            "--image-ids",
            "imageTag=v2",
        )
        docker(config, "rmi", tags[1])
        assert docker(config, "pull", tags[1], check=False).returncode != 0
    finally:
        for t in tags:
            docker(config, "rmi", "-f", t, check=False)
        for image in built:  # and the digest references the pushes left
            docker(config, "rmi", "-f", image, check=False)
        docker(config, "logout", registry, check=False)
