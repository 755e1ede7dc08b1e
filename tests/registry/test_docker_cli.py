"""The real docker CLI against ecsd's registry: `docker login` with the ECR password,
push, `docker rmi`, pull, the same digest; refused logins and pushes store nothing."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from regutil import build_image

from ecsd.model.ecr import manifests


def _tag(registry: Any, source: str, ref: str) -> str:
    target = f"{registry.host}/{ref}"
    subprocess.run(["docker", "tag", source, target], check=True)
    return target


def _untag(*refs: str) -> None:
    subprocess.run(["docker", "rmi", *refs], capture_output=True)


def test_login_push_rmi_pull_same_digest(registry: Any, small_image: str) -> None:
    doc = registry.create("test-repos")
    assert doc["repositoryUri"] == f"{registry.host}/test-repos"
    registry.login()
    ref = _tag(registry, small_image, "test-repos:v1")
    try:
        pushed = registry.docker("push", ref).stdout
        digest = re.search(r"digest: (sha256:[0-9a-f]{64})", pushed)
        assert digest is not None, pushed
        head = registry.http.head(
            f"{registry.url}/v2/test-repos/manifests/v1",
            headers={"Accept": manifests.DOCKER_MANIFEST},
        )
        assert head.status_code == 200
        assert head.headers["Docker-Content-Digest"] == digest.group(1)
        _untag(ref)
        registry.docker("pull", ref)
        repo_digests = registry.docker(
            "image", "inspect", "--format", "{{json .RepoDigests}}", ref
        ).stdout
        assert f"{registry.host}/test-repos@{digest.group(1)}" in repo_digests
        tags = registry.http.get(f"{registry.url}/v2/test-repos/tags/list").json()
        assert tags == {"name": "test-repos", "tags": ["v1"]}
    finally:
        _untag(ref)


def test_push_without_login_or_with_a_wrong_password_is_refused(
    registry: Any, small_image: str
) -> None:
    registry.create("locked")
    ref = _tag(registry, small_image, "locked:v1")
    try:
        out = registry.docker("push", ref, check=False)
        assert out.returncode != 0
        assert "no basic auth credentials" in out.stderr + out.stdout
        wrong = registry.docker(
            "login",
            "--username",
            "AWS",
            "--password-stdin",
            registry.host,
            stdin="not-a-password",
            check=False,
        )
        assert wrong.returncode != 0 and "401" in wrong.stderr
        # The refused login left no credentials in docker's config for the registry.
        config = registry.config_dir / "config.json"
        stored = json.loads(config.read_text()).get("auths", {}) if config.exists() else {}
        assert registry.host not in stored
        raw = registry.http.get(f"{registry.url}/v2/", auth=("AWS", "not-a-password"))
        assert raw.status_code == 401
        assert raw.headers["WWW-Authenticate"].startswith("Basic realm=")
        assert raw.json()["errors"][0]["code"] == "UNAUTHORIZED"
        # Nothing stored: no blob on disk, no tag.
        assert registry.blob_files() == []
        assert registry.http.get(f"{registry.url}/v2/locked/tags/list").json()["tags"] == []
    finally:
        _untag(ref)


def test_an_immutable_tag_is_not_overwritten_and_pulls_are_recorded(
    registry: Any, small_image: str, tmp_path: Path
) -> None:
    registry.create("frozen", mutability="IMMUTABLE")
    registry.login()
    # An image of its own: once removed, the pull below must fetch it (docker skips the
    # manifest GET for an image it still holds under another name).
    ref = f"{registry.host}/frozen:v1"
    build_image(tmp_path / "ctx", ref)
    try:
        first = registry.docker("push", ref).stdout
        subprocess.run(["docker", "tag", "ecsd-test/busybox:latest", ref], check=True)
        again = registry.docker("push", ref, check=False)
        assert again.returncode != 0
        assert "tag invalid" in again.stderr and "cannot be overwritten" in again.stderr
        digest = re.search(r"digest: (sha256:[0-9a-f]{64})", first)
        assert digest is not None
        assert registry.http.head(f"{registry.url}/v2/frozen/manifests/v1").headers[
            "Docker-Content-Digest"
        ] == digest.group(1)
        # A pull shows in the model at once (DescribeImages' lastRecordedPullTime).
        assert registry.describe("frozen", "v1").get("lastRecordedPullTime") is None
        _untag(ref)
        registry.docker("pull", ref)
        detail = registry.describe("frozen", "v1")
        assert detail["imageTags"] == ["v1"] and detail["lastRecordedPullTime"] > 0
        assert detail["imagePushedAt"] <= detail["lastRecordedPullTime"]
    finally:
        _untag(ref)
