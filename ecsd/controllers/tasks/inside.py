"""The hook through which the task controller gives containers what they reach from
inside (the metadata endpoint, task-role credentials, the AWS endpoint): the daemon
plugs `ecsd.taskside.TaskSide` in; without it containers get only ECS's plain variables.

Kept a protocol so that the controller does not depend on the task-side HTTP surface
and its unit tests need none.
"""

from __future__ import annotations

from typing import Any, Protocol

Doc = dict[str, Any]


class Inside(Protocol):
    def needs_namespace(self, rt: Doc) -> bool:
        """Whether the task needs its own holder even with one container (a loopback
        listener must exist in its namespace before the first container starts)."""
        ...

    async def enter(self, doc: Doc, rt: Doc) -> None:
        """Before containers are made (and again when a worker resumes a running task):
        open what the task reaches. Idempotent."""
        ...

    def environment(self, doc: Doc, rt: Doc, container: str) -> dict[str, str]:
        """The variables that tell container `container` where it all is."""
        ...

    async def leave(self, arn: str) -> None:
        """The task is gone: close what `enter` opened."""
        ...


class NothingInside:
    def needs_namespace(self, rt: Doc) -> bool:
        return False

    async def enter(self, doc: Doc, rt: Doc) -> None:
        return None

    def environment(self, doc: Doc, rt: Doc, container: str) -> dict[str, str]:
        return {}

    async def leave(self, arn: str) -> None:
        return None
