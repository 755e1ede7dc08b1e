"""Times and log streams in the engine's formats: RFC 3339 times with nanoseconds, the
multiplexed (and TTY) log framing, and the parser that joins split lines and skips
entries already given out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import requests

from ..base import (
    LogSource,
)

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def _nanoseconds(text: Any) -> int | None:
    """Epoch ns of an RFC 3339 time with up to 9 fractional digits (Docker's and
    Podman's); None for Docker's zero time (never happened) or anything unreadable."""
    m = _TIME.match(str(text or "").strip())
    if not m:
        return None
    zone = m[3] or "Z"
    zone = "+00:00" if zone == "Z" else zone
    base = datetime.fromisoformat(m[1] + zone)
    if base.year <= 1:
        return None
    return int(base.timestamp()) * 1_000_000_000 + int((m[2] or "")[:9].ljust(9, "0"))


def _seconds(text: Any) -> float | None:
    ns = _nanoseconds(text)
    return None if ns is None else ns / 1e9


def _read(response: requests.Response, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = response.raw.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _frames(response: requests.Response) -> Iterator[tuple[int, bytes]]:
    """The engine's multiplexed stream: an 8-byte header (stream id, payload length)
    per written log entry."""
    while True:
        header = _read(response, 8)
        if len(header) < 8:
            return
        stream, length = header[0], int.from_bytes(header[4:8], "big")
        payload = _read(response, length)
        if len(payload) < length:
            return
        yield stream, payload


def _tty_frames(response: requests.Response) -> Iterator[tuple[int, bytes]]:
    """A TTY container's logs are one unframed stream, all of it stdout."""
    for line in response.raw:
        yield 1, line.replace(b"\r\n", b"\n")


class _LogParser:
    """Frames are "<RFC 3339 time> <text>". The engine splits a very long line into
    several entries of which only the last ends in a newline: join them, and stamp the
    line with its first part's time. Entries already given out are skipped, so that
    overlapping reads of one container's log give each line once: times only rise
    within one stream (stdout and stderr interleave out of order), and the parts of a
    split line share one time, so each stream keeps its last time and how many entries
    it has given out with that time."""

    def __init__(self, since_ms: int) -> None:
        self.since_ms = since_ms
        self._last: dict[int, tuple[int, int]] = {}  # stream → (last ns, entries at it)
        self._partial: dict[int, tuple[int, bytes]] = {}

    def resume_ns(self) -> int:
        """Where a further read must start to miss nothing: a second before the oldest
        stream's last entry (entries are written in arrival order, stamped a little
        earlier), never before since_ms."""
        floor = self.since_ms * 1_000_000
        if not self._last:
            return floor
        return max(floor, min(ns for ns, _ in self._last.values()) - 1_000_000_000)

    def feed(self, frames: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, LogSource, str]]:
        met: dict[int, int] = {}  # stream → entries at its last ns met in this read
        for stream, payload in frames:
            stamp, _, text = payload.partition(b" ")
            ns = _nanoseconds(stamp.decode("ascii", "replace")) or 0
            if ns:
                last, given = self._last.get(stream, (0, 0))
                if ns < last:
                    continue
                if ns == last:
                    met[stream] = met.get(stream, 0) + 1
                    if met[stream] <= given:
                        continue
                    self._last[stream] = (ns, given + 1)
                else:
                    self._last[stream] = (ns, 1)
                    met[stream] = 1
            ts = ns // 1_000_000
            if stream in self._partial:
                first_ts, head = self._partial.pop(stream)
                ts, text = first_ts, head + text
            if not text.endswith(b"\n"):
                self._partial[stream] = (ts, text)
                continue
            yield from self._emit(stream, ts, text[:-1])

    def flush(self) -> Iterator[tuple[int, LogSource, str]]:
        partial, self._partial = self._partial, {}
        for stream, (ts, text) in partial.items():
            yield from self._emit(stream, ts, text)

    def _emit(self, stream: int, ts: int, text: bytes) -> Iterator[tuple[int, LogSource, str]]:
        if ts >= self.since_ms:
            source: LogSource = "stderr" if stream == 2 else "stdout"
            yield ts, source, text.decode("utf-8", "replace")
