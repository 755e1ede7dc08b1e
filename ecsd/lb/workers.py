"""A data plane of several processes: the same interface as `Plane`, more cores.

Why: one Python process proxies about half of what one nginx worker does
(bench/alb.py); two processes sharing each listener's port with SO_REUSEPORT come close
to it. `ProcessPlane(workers=N)` starts N worker processes (`python -m ecsd.lb.worker`),
each running a `Plane(reuse_port=True, checks=False)` that serves every listener; the
kernel spreads incoming connections over them.

What stays in this process, so that each thing happens once:
- health checks: an inner `Plane` with no listeners runs the checkers; each state change
  is reported through `report` and sent on to every worker (which routes by it);
- draining: a draining target is reported `Drained` when every worker has reported that
  its own last request to it has ended.

Every metric period the parent asks each worker for its request counts (`take_counts`:
AWS/ApplicationELB metrics); the workers' answers are added up.

Messages are pickled tuples, length-prefixed, over the workers' stdin/stdout. A worker
whose parent goes away (ecsd killed, even by kill -9) gets SIGTERM (PR_SET_PDEATHSIG,
Linux) or sees its stdin end, and exits, freeing the ports.
`in_flight` is, for a draining target, the number of workers still having a request to
it in flight (a lower bound of the requests), else 0: counting every request across
processes would put IPC on the hot path.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import struct
import sys
from collections.abc import Callable

from ecsd.core.clock import Clock
from ecsd.lb.counters import Counts
from ecsd.lb.health import Probe
from ecsd.lb.plane import Plane
from ecsd.lb.table import Drained, HealthReport, Table, Target

_LEN = struct.Struct("!I")


def frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LEN.pack(len(data)) + data


async def read_frame(reader: asyncio.StreamReader) -> object:
    (n,) = _LEN.unpack(await reader.readexactly(_LEN.size))
    return pickle.loads(await reader.readexactly(n))  # noqa: S301 - our own child's pipe


class _Worker:
    def __init__(self, index: int, proc: asyncio.subprocess.Process) -> None:
        self.index = index
        self.proc = proc
        self.replies: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.counts: asyncio.Queue[Counts] = asyncio.Queue()
        self.counts_asked = 0  # requests for counts not answered yet
        self.reader_task: asyncio.Task[None] | None = None

    def send(self, message: object) -> None:
        assert self.proc.stdin is not None
        if not self.proc.stdin.is_closing():
            self.proc.stdin.write(frame(message))


class ProcessPlane:
    def __init__(
        self,
        *,
        report: Callable[[HealthReport | Drained], None],
        clock: Clock | None = None,
        workers: int = 2,
        probe: Probe | None = None,
    ) -> None:
        self._report = report
        self._n = max(1, workers)
        self._health = Plane(report=self._on_health, clock=clock, probe=probe)
        self._workers: list[_Worker] = []
        self._lock = asyncio.Lock()
        self._draining: dict[tuple[str, str], Target] = {}
        self._drained_in: dict[tuple[str, str], set[int]] = {}
        self._reported_drained: set[tuple[str, str]] = set()

    # -- the interface ---------------------------------------------------------------------

    async def apply(self, table: Table) -> dict[str, str]:
        async with self._lock:
            # Workers start with the first listener: a daemon serving no load balancer
            # (most test servers, reset after reset) spawns no process.
            if not self._workers and table.listeners:
                await self._start()
            draining = {(g.arn, t.key): t for g in table.target_groups for t in g.draining}
            for key in [k for k in self._draining if k not in draining]:
                self._draining.pop(key)
                self._drained_in.pop(key, None)
                self._reported_drained.discard(key)
            for key, target in draining.items():
                self._draining[key] = target
                self._drained_in.setdefault(key, set())
            # Health first (its reports go to the workers as they happen), then the table:
            # a worker knows a known-healthy target's state before it routes to it.
            await self._health.apply(Table((), table.target_groups))
            if not self._workers:  # no traffic anywhere: a draining target is drained
                for key, target in draining.items():
                    if key not in self._reported_drained:
                        self._reported_drained.add(key)
                        self._report(Drained(key[0], target))
                return {}
            for w in self._workers:
                w.send(("table", table))
            errors: dict[str, str] = {}
            for w in self._workers:
                try:
                    errors.update(await asyncio.wait_for(w.replies.get(), 30))
                except TimeoutError:
                    for listener in table.listeners:
                        errors.setdefault(listener.arn, f"load balancer worker {w.index} hangs")
            return errors

    async def close(self) -> None:
        for w in self._workers:
            w.send(("stop",))
        # All workers get the same 5 s together (a reset waits once, not once per worker).
        waits = [asyncio.ensure_future(w.proc.wait()) for w in self._workers]
        if waits:
            await asyncio.wait(waits, timeout=5)
        for w in self._workers:
            if w.proc.returncode is None:
                w.proc.kill()
                await w.proc.wait()
            if w.reader_task is not None:
                w.reader_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await w.reader_task
        self._workers.clear()
        await self._health.close()

    def in_flight(self, target_group_arn: str, key: str) -> int:
        k = (target_group_arn, key)
        if k not in self._draining or not self._workers:
            return 0
        return self._n - len(self._drained_in.get(k, ()))

    async def take_counts(self) -> Counts:
        """Every worker's counts since the last call, added up: each worker hands its
        own over on request (the hot path only increments in memory)."""
        total = Counts()
        async with self._lock:
            workers = list(self._workers)
            for w in workers:
                w.send(("counts",))
                w.counts_asked += 1
            for w in workers:
                # A late answer to an earlier request is added now (nothing is lost).
                while w.counts_asked:
                    try:
                        total.merge(await asyncio.wait_for(w.counts.get(), 10))
                    except TimeoutError:
                        break  # a hung worker's counts come with a later period
                    w.counts_asked -= 1
        return total

    def host_states(self) -> dict[str, dict[str, str]]:
        return self._health.host_states()

    # -- workers ---------------------------------------------------------------------------

    async def _start(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        env["ECSD_LB_PARENT"] = str(os.getpid())  # a worker checks it outlived no parent
        for i in range(self._n):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "ecsd.lb.worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
            )
            worker = _Worker(i, proc)
            worker.reader_task = asyncio.get_running_loop().create_task(self._listen(worker))
            self._workers.append(worker)
        # The states found so far (a restart of the workers keeps them).
        for w in self._workers:
            for tg, states in self._health._states.items():
                for key, state in states.items():
                    w.send(("health", tg, key, state))

    async def _listen(self, worker: _Worker) -> None:
        assert worker.proc.stdout is not None
        while True:
            try:
                message = await read_frame(worker.proc.stdout)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            assert isinstance(message, tuple)
            kind = message[0]
            if kind == "applied":
                worker.replies.put_nowait(message[1])
            elif kind == "counts":
                worker.counts.put_nowait(message[1])
            elif kind == "drained":
                self._on_worker_drained(worker.index, message[1], message[2])

    def _on_worker_drained(self, index: int, tg: str, key: str) -> None:
        k = (tg, key)
        target = self._draining.get(k)
        if target is None:
            return
        done = self._drained_in.setdefault(k, set())
        done.add(index)
        if len(done) >= self._n and k not in self._reported_drained:
            self._reported_drained.add(k)
            self._report(Drained(tg, target))

    def _on_health(self, report: HealthReport | Drained) -> None:
        if isinstance(report, Drained):
            return  # the inner plane has no traffic; the workers say when a target drained
        for w in self._workers:
            w.send(("health", report.target_group_arn, report.target.key, report.state))
        self._report(report)
