"""Fargate task sizes: which cpu/memory pairs exist, and the spellings ECS accepts."""

from __future__ import annotations

import re

# cpu units → allowed memory (MiB), as in the ECS developer guide.
SIZES: dict[int, range] = {
    256: range(0, 0),  # filled below: 512, 1024, 2048
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}
_SMALLEST = (512, 1024, 2048)

_VCPU = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$", re.IGNORECASE)
_GB = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*gb\s*$", re.IGNORECASE)


def cpu_units(value: str) -> int | None:
    """"256" → 256, "1 vCPU" → 1024, "0.25 vcpu" → 256; None if neither form."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    m = _VCPU.match(value)
    return int(float(m.group(1)) * 1024) if m else None


def memory_mib(value: str) -> int | None:
    """"512" → 512, "2GB" / "2 GB" → 2048; None if neither form."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    m = _GB.match(value)
    return int(float(m.group(1)) * 1024) if m else None


def fits(cpu: int, memory: int) -> bool:
    if cpu == 256:
        return memory in _SMALLEST
    allowed = SIZES.get(cpu)
    return allowed is not None and memory in allowed
