"""What the engine's answers mean: error texts, names taken, idempotent statuses,
image references as Fargate writes them in errors, addresses and health words
(Docker's and Podman's)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import docker
import docker.errors
from docker.utils import parse_repository_tag

from ..base import (
    MANAGED_LABEL,
    TASKSIDE_NETWORK,
    Health,
)

T = TypeVar("T")
log = logging.getLogger(__name__)


def _labels(labels: dict[str, str]) -> dict[str, str]:
    return {**{k: str(v) for k, v in labels.items()}, MANAGED_LABEL: "true"}


def _explain(exc: docker.errors.APIError) -> str:
    text = exc.explanation
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text or exc).strip()


def _reason(exc: BaseException, depth: int = 0) -> str:
    """The innermost OS-level reason ("No such file or directory", "Connection refused")
    in the wrappers requests and urllib3 put around it; else the message itself."""
    if depth < 8:
        if isinstance(exc, OSError) and exc.strerror:
            return exc.strerror
        inner = [a for a in exc.args if isinstance(a, BaseException)]
        inner += [e for e in (exc.__cause__, exc.__context__) if e is not None]
        for e in inner:
            found = _reason(e, depth + 1)
            if found:
                return found
    return str(exc) if depth == 0 else ""


def _quietly(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:  # best effort clean-up
        log.debug("clean-up step failed", exc_info=True)


def _name_taken(exc: docker.errors.APIError) -> bool:
    """Docker answers 409; Podman 500 with words."""
    return exc.status_code == 409 or "already in use" in _explain(exc)


class _ignoring:
    """Swallow the engine's answers with these HTTP statuses, or (Podman often answers
    500) containing these words: for idempotent operations."""

    def __init__(self, *statuses: int, texts: tuple[str, ...] = ()) -> None:
        self.statuses = statuses
        self.texts = texts

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if not isinstance(exc, docker.errors.APIError):
            return False
        return exc.status_code in self.statuses or any(t in _explain(exc) for t in self.texts)


def fully_qualified(ref: str) -> str:
    """docker.io/library/nginx:latest for nginx, as Fargate names refs in its errors."""
    name, digest = (ref.split("@", 1) + [""])[:2]
    repository, tag = parse_repository_tag(name)
    first = repository.split("/", 1)[0]
    if "/" not in repository or not ("." in first or ":" in first or first == "localhost"):
        repository = "docker.io/" + (repository if "/" in repository else f"library/{repository}")
    if digest:
        return f"{repository}@{digest}"
    return f"{repository}:{tag or 'latest'}"


def _pull_message(ref: str, answer: str) -> str:
    return (
        f"pull image manifest has been retried 1 time(s): failed to resolve ref "
        f"{fully_qualified(ref)}: {answer.strip()}"
    )


def _repo_digest(ref: str, repo_digests: list[str]) -> str | None:
    """The digest under the ref's own repository, else None (the image ID stands in).

    Only that repository's digest will do: the digest becomes the deployment's pin
    `<repository>@<digest>`, and the engine resolves such a reference only if the image
    carries that very repository's digest. A local image once pushed to some registry
    (`127.0.0.1:5000/other@sha256:…`) has that digest too, but `ecsd-test/web@sha256:…`
    would then send the engine to Docker Hub."""
    repository = parse_repository_tag(ref.split("@", 1)[0])[0]
    for entry in repo_digests:
        name, _, digest = entry.partition("@")
        if digest and (name == repository or name.endswith("/" + repository)):
            return digest
    return None


def _address(network: dict[str, Any]) -> tuple[str, str | None]:
    for name, settings in (network.get("Networks") or {}).items():
        if name == TASKSIDE_NETWORK:
            continue  # the link to ecsd's credentials address is not the task's address
        if settings and settings.get("IPAddress"):
            return str(settings["IPAddress"]), settings.get("MacAddress") or None
    return str(network.get("IPAddress") or ""), network.get("MacAddress") or None


def _health(status: Any) -> Health | None:
    if status == "healthy":
        return "healthy"
    if status == "unhealthy":
        return "unhealthy"
    if status == "starting":
        return "starting"
    return None


_DEPENDENTS = re.compile(r"has dependent containers which must be removed before it: (.*)")
# Podman's words for Docker's states.
_PODMAN_STATUS = {"configured": "created", "stopped": "exited", "initialized": "created"}
