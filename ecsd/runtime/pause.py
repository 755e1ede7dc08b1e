"""The holder ("pause") image, made from bytes: no registry, no build tools.

Every task's containers join one network namespace, owned by a holder container that
does nothing but exist. Users have no registry access and no image in common, so the
holder must not come from one: ecsd writes a ~130-byte static ELF whose entry point
sleeps in a syscall forever, packs it into a one-file tar and `docker import`s it.

The program, per architecture:
  x86_64:   loop: mov eax, 34 (pause); syscall; jmp loop
  aarch64:  loop: x0..x3 = 0; x8 = 73 (ppoll); svc #0; b loop   (aarch64 has no pause;
            ppoll with no descriptors and no timeout blocks the same way)

As PID 1 of its PID namespace it is immune to signals it does not handle, so the holder
is created with stop signal SIGKILL: a `docker stop` ends it at once instead of after
the timeout.
"""

from __future__ import annotations

import io
import struct
import tarfile

# Bump when the bytes change, so an engine holding an older holder gets the new one.
VERSION = "1"
REPOSITORY = "ecsd/pause"
IMAGE = f"{REPOSITORY}:{VERSION}"
CHANGES = ['ENTRYPOINT ["/pause"]']
# `docker import` takes no STOPSIGNAL: the holder container is created with it.
STOP_SIGNAL = "SIGKILL"

_LOAD_ADDRESS = 0x400000
_EHDR_SIZE = 64
_PHDR_SIZE = 56

_CODE = {
    # e_machine, machine code
    "x86_64": (62, bytes.fromhex("b8220000000f05ebf7")),
    "aarch64": (
        183,
        b"".join(
            struct.pack("<I", insn)
            for insn in (
                0xD2800000,  # movz x0, #0
                0xD2800001,  # movz x1, #0
                0xD2800002,  # movz x2, #0
                0xD2800003,  # movz x3, #0
                0xD2800928,  # movz x8, #73  (ppoll)
                0xD4000001,  # svc #0
                0x17FFFFFA,  # b -24 (back to the first movz)
            )
        ),
    ),
}

# Names engines use for the same architectures (Docker says x86_64, Podman amd64...).
_ALIASES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def normalize_arch(arch: str) -> str | None:
    return _ALIASES.get(arch.lower())


def elf(arch: str) -> bytes:
    """A complete static ELF64 executable: one PT_LOAD segment mapping the whole file."""
    name = normalize_arch(arch)
    if name is None:
        raise ValueError(f"no holder program for architecture {arch!r}")
    machine, code = _CODE[name]
    size = _EHDR_SIZE + _PHDR_SIZE + len(code)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, little-endian, SysV
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        2,  # e_type: ET_EXEC
        machine,  # e_machine
        1,  # e_version
        _LOAD_ADDRESS + _EHDR_SIZE + _PHDR_SIZE,  # e_entry: the code, right after headers
        _EHDR_SIZE,  # e_phoff
        0,  # e_shoff: no sections
        0,  # e_flags
        _EHDR_SIZE,
        _PHDR_SIZE,
        1,  # e_ehsize, e_phentsize, e_phnum
        0,
        0,
        0,  # e_shentsize, e_shnum, e_shstrndx
    )
    program = struct.pack(
        "<IIQQQQQQ",
        1,  # p_type: PT_LOAD
        5,  # p_flags: R + X
        0,  # p_offset
        _LOAD_ADDRESS,  # p_vaddr
        _LOAD_ADDRESS,  # p_paddr
        size,  # p_filesz
        size,  # p_memsz
        0x1000,  # p_align
    )
    return header + program + code


def image_tar(arch: str) -> bytes:
    """The root filesystem of the holder image: /pause and nothing else."""
    binary = elf(arch)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("pause")
        info.size = len(binary)
        info.mode = 0o755
        tar.addfile(info, io.BytesIO(binary))
    return out.getvalue()
