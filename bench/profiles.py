"""Sample the ecsd server with py-spy during a benchmark row, and summarise where time went.

`py-spy record --threads --format raw` writes one collapsed stack per line
("thread (tid): name;frame;frame… count"), first frame outermost. Modes:

- `cpu` (default): threads that are running on a CPU when sampled. This is where the
  server's CPU goes, SQLite's C code included (it runs with the GIL released, so `--gil`
  would hide it); a thread waiting for the GIL, the network or fsync is asleep and not
  counted.
- `gil`: only the thread holding the GIL: where the Python-level work goes.
- `wall`: every thread, idle or not — to see a writer thread's time in COMMIT (fsync).
  A thread waiting for the GIL shows the frame it waits in, so it over-reports.

The summary gives the frames with the largest share of the samples, inclusive (the
frame anywhere on the stack) and self (top of the stack). py-spy does not keep its
nominal rate under load, so shares are of the samples taken, not of wall time.

py-spy is not a dependency of ecsd: `.venv/bin/pip install py-spy` to use `--profile`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


RATE = 250


def start(pid: int, seconds: float, out: Path, mode: str = "cpu") -> subprocess.Popen[bytes]:
    exe = py_spy()
    if exe is None:
        raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(RATE),
            "--threads",
            "--nonblocking",
            "--format",
            "raw",
            *{"cpu": [], "gil": ["--gil"], "wall": ["--idle"]}[mode],
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _name(frame: str) -> str:
    """`fn (path/to/module.py:12)` → `module.py:fn` (line numbers merged)."""
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    return f"{Path(m['file']).name}:{m['func']}"


# Where a thread waits for work rather than doing it (an idle pool worker, the event loop
# in select): counted as idle, not busy. Matters in wall mode; the others skip idle threads.
IDLE_LEAVES = {
    "thread.py:_worker",
    "selectors.py:EpollSelector.select",
    "selectors.py:select",
    "threading.py:Condition.wait",
    "queue.py:Queue.get",
    "db.py:Store._write_loop",  # the store's writer waiting in SimpleQueue.get (C)
}
# Frames every busy stack of a thread has: plumbing, not information.
PLUMBING = (
    "threading.py:",
    "<frozen runpy>",
    "core.py:",
    "__main__.py:",
    "cli.py:serve",
    "web.py:run_app",
    "server.py:serve",
    "base_events.py:BaseEventLoop.run_",
    "thread.py:_worker",
    "events.py:Handle._run",
    "base_events.py:BaseEventLoop._run_once",
)


_FULL = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]+?)(?::\d+)?\)$")


def layer(frames: list[str]) -> str:
    """The part of the stack a sample is charged to: the innermost frame that belongs to
    a known layer (SQLite's C calls, SQLAlchemy, the model-driven codec, validation, the
    handler, aiohttp, socket calls, asyncio and the hand-off to store threads)."""
    parsed = []
    for f in frames:
        m = _FULL.match(f.strip())
        parsed.append((m["func"], m["file"]) if m else (f, ""))
    files = [file for _, file in parsed]
    if any(f.startswith("json/") or "/json/" in f for f in files[-3:]):
        if any("ecsd/aws/protocols" in f for f in files):
            return (
                "JSON decode (wire)"
                if any(fn in ("decode", "_decode") for fn, _ in parsed)
                else "JSON encode (wire)"
            )
        if any("sqlalchemy" in f for f in files):
            return "JSON (de)serialise of stored docs"
    for func, file in reversed(parsed):
        if "sqlalchemy/engine/default.py" in file and func.endswith("do_execute"):
            return "SQLite execute (C)"
        if "sqlalchemy/engine/default.py" in file and func.endswith(("do_commit", "do_rollback")):
            return "SQLite commit (C, WAL + fsync)"
        if "sqlalchemy/engine/cursor.py" in file and "fetch" in func.lower():
            return "SQLite fetch rows (C)"
        if "sqlalchemy/" in file:
            return "SQLAlchemy (Python)"
        if "ecsd/aws/validate.py" in file:
            return "validation (by model)"
        if "ecsd/aws/protocols/" in file:
            return "JSON decode (wire)" if "decode" in func else "JSON encode (wire)"
        if "ecsd/services/" in file:
            return "handlers (ecsd/services)"
        if "ecsd/store/" in file:
            return "store (ecsd/store)"
        if "ecsd/aws/" in file:
            return "gateway (ecsd/aws)"
        if "asyncio/selector_events.py" in file and func.startswith("_SelectorSocketTransport"):
            return "socket send/recv"
        if "aiohttp/" in file or "multidict" in file or "yarl" in file:
            return "aiohttp"
        if "asyncio/" in file or "concurrent/futures" in file or "threading.py" in file:
            return "asyncio + thread hand-off"
    return "other"


def summarise(path: Path, top: int = 22) -> str:
    """Samples per thread, then the frames with most samples, as % of all samples."""
    threads: Counter[str] = Counter()
    busy: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        # first frame: "thread (1234): ecsd-store-read_0"
        thread = re.sub(r"_\d+$", "", frames[0].split("): ", 1)[-1])
        names = [_name(f) for f in frames[1:]]
        threads[thread] += n
        if not names or names[-1] in IDLE_LEAVES:
            continue
        busy[thread] += n
        for name in set(names):
            if not name.startswith(PLUMBING):
                inclusive[name] += n
        leaf[names[-1]] += n
        layers[layer(frames[1:])] += n
    total = sum(busy.values()) or 1

    lines = [
        f"  {total} samples; by thread: "
        + ", ".join(f"{t} {100 * busy[t] / total:.0f}%" for t in sorted(threads))
    ]
    lines.append(
        "  by layer: "
        + ", ".join(f"{name} {100 * n / total:.0f}%" for name, n in layers.most_common())
    )
    lines.append(f"  {'inclusive':>9}  {'self':>5}  frame")
    for name, n in inclusive.most_common(top):
        lines.append(f"  {100 * n / total:8.1f}%  {100 * leaf[name] / total:4.1f}%  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(arg)
        print(summarise(Path(arg)))
