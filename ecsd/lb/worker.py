"""One worker process of a `ProcessPlane` (lb/workers.py): `python -m ecsd.lb.worker`.

It serves the tables its parent sends on stdin with a `Plane(reuse_port=True,
checks=False)`, routes by the health states the parent sends, and tells the parent when
a draining target's last request in this process has ended. It exits when told to, or
when its stdin ends (the parent is gone); on Linux the kernel also kills it the moment
its parent dies (PR_SET_PDEATHSIG), so that a `kill -9` of ecsd frees the listeners'
ports at once rather than when this process next reads its stdin.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys

from ecsd.lb.plane import Plane
from ecsd.lb.table import Drained, HealthReport
from ecsd.lb.workers import frame, read_frame


async def serve() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    out = sys.stdout.buffer

    def send(message: object) -> None:
        out.write(frame(message))
        out.flush()

    def report(r: HealthReport | Drained) -> None:
        if isinstance(r, Drained):
            send(("drained", r.target_group_arn, r.target.key))

    plane = Plane(report=report, reuse_port=True, checks=False)
    try:
        while True:
            try:
                message = await read_frame(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            assert isinstance(message, tuple)
            kind = message[0]
            if kind == "table":
                send(("applied", await plane.apply(message[1])))
            elif kind == "health":
                plane.set_health(message[1], message[2], message[3])
            elif kind == "stop":
                return
    finally:
        await plane.close()


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (Linux); if the parent is already
    gone (it died before this ran), exit now."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def main() -> None:
    parent = int(os.environ.get("ECSD_LB_PARENT", os.getppid()))
    die_with_parent(parent)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
