"""The real docker CLI against ecsd's registry: `docker login` with the ECR password,
push, `docker rmi`, pull, the same digest; refused logins and pushes store nothing."""

from __future__ import annotations

import re
import subprocess
from typing import Any

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
        raw = registry.http.get(f"{registry.url}/v2/", auth=("AWS", "not-a-password"))
        assert raw.status_code == 401
        assert raw.headers["WWW-Authenticate"].startswith("Basic realm=")
        assert raw.json()["errors"][0]["code"] == "UNAUTHORIZED"
        # Nothing stored: no blob on disk, no tag.
        assert registry.blob_files() == []
        assert registry.http.get(f"{registry.url}/v2/locked/tags/list").json()["tags"] == []
    finally:
        _untag(ref)
