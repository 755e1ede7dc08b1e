"""Where a listener really binds.

A listener on port 80 binds port 80 wherever the process may: as root, or where the
kernel's `net.ipv4.ip_unprivileged_port_start` is at or below the port (rootless
Docker hosts and many desktops set it to 0 or 80). Where it may not (a privileged port as
a normal user), the fallback is deterministic and documented: **port + 8000** — a
listener on 80 serves on 8080, one on 443 on 8443. Ports at or above the unprivileged
start are never moved. The API still shows the listener's own port; `ecsd serve` prints
the real address, and the load-balancing controller puts the bind port into the table.
"""

from __future__ import annotations

import os

FALLBACK_OFFSET = 8000
_SYSCTL = "/proc/sys/net/ipv4/ip_unprivileged_port_start"


def unprivileged_port_start() -> int:
    """The lowest port a normal user may bind (Linux's sysctl; 1024 where it is absent,
    as on macOS and older kernels)."""
    try:
        with open(_SYSCTL) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return 1024


def bind_port_for(port: int, *, euid: int | None = None, start: int | None = None) -> int:
    """The port a listener on `port` binds: `port` itself if this process may bind it,
    else `port + FALLBACK_OFFSET`. `euid` and `start` are for tests (default: the real
    effective uid and the kernel's setting)."""
    if port <= 0:
        return port
    euid = os.geteuid() if euid is None else euid
    if euid == 0:
        return port
    start = unprivileged_port_start() if start is None else start
    if port >= start:
        return port
    return port + FALLBACK_OFFSET
