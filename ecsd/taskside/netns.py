"""A listening socket on 127.0.0.1 inside another process's network namespace.

The AWS SDKs fetch `AWS_CONTAINER_CREDENTIALS_FULL_URI` over plain HTTP only from a
loopback address (botocore's ContainerMetadataFetcher; the JavaScript SDK likewise), and
a container's loopback is its own. A socket belongs to the namespace it was made in, so
a short-lived thread enters the task's namespace (setns(2)), makes and binds the socket
there, and ends; ecsd's event loop then accepts on it like on any other. This needs
CAP_SYS_ADMIN and a local engine (the namespace is /proc/<pid>/ns/net): where either is
missing, `open_loopback` returns None and the caller falls back to the bridge address.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import socket
import threading

log = logging.getLogger(__name__)

CLONE_NEWNET = 0x40000000


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def open_loopback(pid: int, port: int) -> socket.socket | None:
    """A listening, non-blocking TCP socket on 127.0.0.1:port in pid's namespace."""
    result: list[socket.socket | BaseException] = []

    def enter() -> None:
        try:
            fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
            try:
                _setns(fd)  # this thread only; it ends right after
            finally:
                os.close(fd)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(64)
            sock.setblocking(False)
            result.append(sock)
        except BaseException as exc:  # reported below, in the caller's thread
            result.append(exc)

    thread = threading.Thread(target=enter, name="netns", daemon=True)
    thread.start()
    thread.join()
    got = result[0] if result else None
    if isinstance(got, socket.socket):
        return got
    log.info("no listener in the namespace of pid %s: %s", pid, got)
    return None
