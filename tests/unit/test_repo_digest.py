"""The registry digest ecsd pins a deployment to is the one under the image's own
repository: a local image once pushed elsewhere must not be pinned to
`<its name>@<another repository's digest>`, which the engine cannot resolve locally."""

from __future__ import annotations

from ecsd.runtime.docker.answers import _repo_digest

OTHER = "127.0.0.1:36073/test-repos@sha256:" + "f" * 64
OWN = "nginx@sha256:" + "a" * 64


def test_the_refs_own_repository_digest() -> None:
    assert _repo_digest("nginx:latest", [OTHER, OWN]) == "sha256:" + "a" * 64


def test_a_digest_of_another_repository_is_not_used() -> None:
    assert _repo_digest("ecsd-test/web:latest", [OTHER]) is None


def test_a_registry_repository_matches_itself_only() -> None:
    assert _repo_digest("127.0.0.1:36073/test-repos:v1", [OWN, OTHER]) == "sha256:" + "f" * 64
    assert _repo_digest("repos:v1", [OTHER]) is None
