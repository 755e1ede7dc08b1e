"""`Runtime` on the Docker Engine API (Docker ≥ 20.10, and Podman's compatible API).

The `docker` SDK is blocking, so every call runs on a thread pool, off the event loop;
the two endless streams (events, a container's logs) each get a thread of their own
and a client of their own, feeding an asyncio queue with bounded credit so a chatty
container cannot fill memory faster than ecsd stores its lines.

Only plain container, image and volume endpoints are used (no swarm, no networks of
our own, no build): a task is one holder container (`pause.py`) that owns the network
namespace and publishes the ports, and the task's containers join it with
`network_mode=container:<holder>`, as a Kubernetes pod does.

The parts: `engine` (client, thread pool, errors), `images`, `containers`, `sandboxes`,
`streams` (events, logs), `inside` and `usage` (task side, stats), `answers` (what the engine's replies mean) and `logparse`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import Runtime
from .answers import fully_qualified
from .engine import DEFAULT_URL
from .sandboxes import Sandboxes
from .streams import EVENT_ACTIONS, Streams
from .usage import Usages

__all__ = ["DEFAULT_URL", "EVENT_ACTIONS", "DockerRuntime", "fully_qualified"]


class DockerRuntime(Sandboxes, Streams, Usages):
    """The Docker (or Podman) engine as a `Runtime`."""


if TYPE_CHECKING:  # mypy proves DockerRuntime is a Runtime

    def _is_a_runtime(rt: DockerRuntime) -> Runtime:
        return rt
