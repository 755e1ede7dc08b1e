"""The numeric ranges of the model's number types, shared by both wire decoders.

botocore's `integer` is a Java int and `long` a Java long on AWS's side: a value outside
them never reaches an AWS service (its front end refuses to deserialize it), and here it
would overflow SQLite's 64-bit integers deep inside a handler. A `double` must be
finite. Text forms (Query) are ASCII digits only: Python's int() also reads "１２" and
"1_000", which AWS does not.
"""

from __future__ import annotations

import math
import re

RANGES = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}

_INT_TEXT = re.compile(r"[+-]?[0-9]{1,40}", re.ASCII)
_FLOAT_TEXT = re.compile(
    r"[+-]?([0-9]{1,400}(\.[0-9]{0,400})?|\.[0-9]{1,400})([eE][+-]?[0-9]{1,4})?"
)


def in_range(kind: str, value: int) -> bool:
    low, high = RANGES.get(kind, (-(2**63), 2**63 - 1))
    return low <= value <= high


def finite(value: float) -> bool:
    return math.isfinite(value)


def parse_int(kind: str, text: str) -> int:
    """`text` as the model's integer kind; ValueError when it is not one."""
    if not _INT_TEXT.fullmatch(text):
        raise ValueError(text)
    value = int(text)
    if not in_range(kind, value):
        raise ValueError(text)
    return value


def parse_float(text: str) -> float:
    if not _FLOAT_TEXT.fullmatch(text):
        raise ValueError(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value
