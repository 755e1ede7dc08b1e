"""One worker process of a `ProcessPlane` (lb/workers.py): `python -m ecsd.lb.worker`.

It serves the tables its parent sends on stdin with a `Plane(reuse_port=True,
checks=False)`, routes by the health states the parent sends, and tells the parent when
a draining target's last request in this process has ended. It exits when told to, or
when its stdin ends (the parent is gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
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
            elif kind == "counts":
                send(("counts", plane.counters.take()))
            elif kind == "stop":
                return
    finally:
        await plane.close()


def die_with_parent() -> None:
    """Linux: the kernel sends SIGTERM when the process that started this one dies, even
    by kill -9 — and even while this one is too busy to notice its stdin ending."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere the end of stdin is the only signal
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != int(os.environ.get("ECSD_LB_PARENT", os.getppid())):
        sys.exit(0)  # the parent died before the call above: nobody would signal


def main() -> None:
    die_with_parent()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
