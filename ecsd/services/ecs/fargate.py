"""Fargate task sizes: which cpu/memory pairs exist, and the spellings ECS accepts.

Task-level `cpu` and `memory` are strings in the API. ECS takes cpu as units ("256") or
vCPUs ("0.25 vCPU", "1 vcpu") and memory as MiB ("512") or GB ("2GB", "2 GB"), and
stores and returns both as strings of integers ("256", "2048").
"""

from __future__ import annotations

import re

# cpu units → allowed memory (MiB), as in the ECS developer guide's task size table.
SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_VCPU = re.compile(rf"^{_NUMBER}\s*vcpu$", re.IGNORECASE)
_GB = re.compile(rf"^{_NUMBER}\s*gb$", re.IGNORECASE)


def _scaled(value: str, unit: re.Pattern[str]) -> int | None:
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to Python, not to int()
        return int(value)
    m = unit.match(value)
    if m is None:
        return None
    scaled = float(m.group(1)) * 1024
    # "0.3 vCPU" is 307.2 units: not a whole number of units, so not a setting ECS takes.
    return int(scaled) if scaled.is_integer() else None


def cpu_units(value: str) -> int | None:
    """ "256" → 256, "1 vCPU" → 1024, "0.25 vcpu" → 256; None if neither form."""
    return _scaled(value, _VCPU)


def memory_mib(value: str) -> int | None:
    """ "512" → 512, "2GB" / "2 GB" → 2048; None if neither form."""
    return _scaled(value, _GB)


def fits(cpu: int, memory: int) -> bool:
    """Whether Fargate has a task size with exactly this cpu and memory."""
    return memory in SIZES.get(cpu, ())


def no_configuration(cpu: int, memory: int) -> str:
    """ECS's words for a pair Fargate has no size for."""
    return (
        f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
        "See the Amazon ECS documentation for the valid values."
    )
