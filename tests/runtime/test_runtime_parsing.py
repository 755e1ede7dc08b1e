"""The runtime's pure parts: log frame parsing, engine times, image refs, the holder ELF.
No engine needed."""

from __future__ import annotations

import struct

import pytest

from ecsd.runtime import pause
from ecsd.runtime.docker import fully_qualified
from ecsd.runtime.docker.logparse import _LogParser, _nanoseconds


def frame(stream: int, stamp: str, text: str) -> tuple[int, bytes]:
    return stream, f"{stamp} {text}".encode()


T1 = "2026-01-02T03:04:05.000000001Z"
T2 = "2026-01-02T03:04:05.002000000Z"
T3 = "2026-01-02T03:04:05.003000000Z"
MS1 = _nanoseconds(T1) // 1_000_000  # type: ignore[operator]


def test_times_keep_nanoseconds_and_zero_time_is_none() -> None:
    assert _nanoseconds("1970-01-01T00:00:01.123456789Z") == 1_123_456_789
    assert _nanoseconds("1970-01-01T02:00:01.5+02:00") == 1_500_000_000
    assert _nanoseconds("0001-01-01T00:00:00Z") is None
    assert _nanoseconds("") is None


def test_parser_joins_split_lines_and_keeps_sources() -> None:
    parser = _LogParser(0)
    out = list(
        parser.feed(
            iter(
                [
                    frame(1, T1, "aaa"),
                    frame(1, T1, "bbb"),
                    frame(2, T2, "oops\n"),
                    frame(1, T1, "ccc\n"),
                ]
            )
        )
    )
    out += list(parser.flush())
    assert [(src, line) for _, src, line in out] == [("stderr", "oops"), ("stdout", "aaabbbccc")]
    assert out[1][0] == MS1


def test_parser_gives_each_entry_once_across_overlapping_reads() -> None:
    parser = _LogParser(0)
    first = [
        frame(1, T1, "part "),
        frame(1, T1, "one\n"),
        frame(2, T2, "err\n"),
        frame(1, T3, "two\n"),
    ]
    got = list(parser.feed(iter(first)))
    # A second read from an earlier point repeats what was seen, then brings more.
    got += list(parser.feed(iter(first + [frame(1, T3, "three\n"), frame(2, T3, "last")])))
    got += list(parser.flush())
    assert [line for _, _, line in got] == ["part one", "err", "two", "three", "last"]
    assert parser.resume_ns() == _nanoseconds(T3) - 1_000_000_000  # type: ignore[operator]


def test_parser_drops_lines_before_since() -> None:
    parser = _LogParser(MS1 + 1)
    got = list(parser.feed(iter([frame(1, T1, "old\n"), frame(1, T2, "new\n")])))
    assert [line for _, _, line in got] == ["new"]


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.25", "docker.io/library/nginx:1.25"),
        ("amazon/aws-cli", "docker.io/amazon/aws-cli:latest"),
        ("127.0.0.1:9/nope/app:1", "127.0.0.1:9/nope/app:1"),
        ("localhost/app", "localhost/app:latest"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2",
        ),
        ("busybox@sha256:" + "a" * 64, "docker.io/library/busybox@sha256:" + "a" * 64),
    ],
)
def test_refs_are_named_as_fargate_names_them(ref: str, expected: str) -> None:
    assert fully_qualified(ref) == expected


@pytest.mark.parametrize(
    "arch, machine", [("x86_64", 62), ("amd64", 62), ("aarch64", 183), ("arm64", 183)]
)
def test_holder_is_a_static_elf_for_the_engines_architecture(arch: str, machine: int) -> None:
    binary = pause.elf(arch)
    assert binary[:4] == b"\x7fELF" and binary[4] == 2  # 64-bit
    e_type, e_machine = struct.unpack_from("<HH", binary, 16)
    entry, phoff = struct.unpack_from("<QQ", binary, 24)
    p_type, _flags, _offset, vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", binary, phoff)
    assert (e_type, e_machine, p_type) == (2, machine, 1)
    assert filesz == len(binary) and vaddr <= entry < vaddr + filesz
    with pytest.raises(ValueError):
        pause.elf("riscv64")
