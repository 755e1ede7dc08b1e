"""One pass of the service scheduler over one service, inside one store transaction.

Everything the pass decides — tasks to start, tasks to stop, failures counted, a
deployment completed or failed, events — is read from and written to the store in the
same transaction. A kill -9 at any moment therefore leaves either all of a pass or none
of it, and the next pass (after a restart too) simply looks again: no task is started
twice, and the count of tasks can never pass maximumPercent because the count is taken
in the transaction that starts them.

The arithmetic is rollout.py's; this module decides which tasks those numbers mean.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..aws.errors import AwsError
from ..core.unit import Unit
from ..model.ecs import (
    arns,
    capacity,
    protection,
    service_events,
    service_targets,
    tags,
    task_definitions,
    task_sets,
)
from ..model.ecs import services as service_model
from ..model.ecs import tasks as task_model
from ..model.ecs.scheduler_state import SchedulerState
from . import rollout

STEADY_REPEAT_SECONDS = 6 * 3600  # ECS repeats "has reached a steady state" this often
BACKOFF_AFTER = 3  # consecutive start failures before the scheduler waits
BACKOFF_FIRST, BACKOFF_MAX = 5.0, 27 * 60.0
IDLE_SECONDS = 300.0  # nothing timed to wait for: look again anyway this often
FAILED_TO_START = ("TaskFailedToStart", "EssentialContainerExited")
HEALTH_STOP_REASON = "Task failed container health checks"
ELB_STOP_REASON = "Task failed ELB health checks in (target-group {})"
RETIRED_KEPT = 5
# At most this many tasks started and this many stopped in one pass. A pass is one store
# transaction, and the store has one writer: a pass that made 5,000 tasks at once would
# hold every other write (API calls, the task controller) for seconds. A pass that hits
# the cap asks to run again at once, so a large service converges in many short
# transactions that other writers interleave with.
BATCH = 100


log = logging.getLogger("ecsd.services")


@dataclass
class Task:
    doc: dict[str, Any]
    checked: bool  # an essential container has a health check
    protected_until: float = 0.0  # scale-in protection (UpdateTaskProtection) ends then
    rt: dict[str, Any] = field(default_factory=dict)  # the task's runtime record

    @property
    def arn(self) -> str:
        return str(self.doc["taskArn"])

    @property
    def deployment(self) -> str:
        return str(self.doc.get("startedBy") or "")

    @property
    def live(self) -> bool:
        return self.doc["desiredStatus"] == "RUNNING" and self.doc["lastStatus"] != "STOPPED"

    @property
    def running(self) -> bool:
        return self.doc["lastStatus"] == "RUNNING"


@dataclass
class Tick:
    """The pass: build it with the service as stored, call `run`, then save."""

    ctx: Unit
    doc: dict[str, Any]
    state: SchedulerState
    healthy_after: float
    wake_at: list[float] = field(default_factory=list)
    _health: dict[str, list[Any]] = field(default_factory=dict)
    checking: bool = False  # a task's target is still in its first health checks
    draining: bool = False  # a task this service stopped is still draining

    @property
    def name(self) -> str:
        return str(self.doc["serviceName"])

    @property
    def now(self) -> float:
        return self.ctx.now

    def event(self, message: str, *, dedupe: bool = True) -> None:
        if service_events.add(self.doc, message, self.now, dedupe=dedupe):
            # The terminal of `ecsd serve` reads like the service's events tab.
            log.info("%s", message)

    # -- health --------------------------------------------------------------------------
    def healthy(self, t: Task, *, settle: bool = True) -> bool:
        """Whether a task counts as healthy for a deployment: RUNNING, and HEALTHY where it
        has container health checks. A new task with none must also have been RUNNING for
        `healthy_after` seconds (`settle`; ECS waits too, so that a task that dies on start
        never replaces a good one); an older deployment's RUNNING task is healthy as it
        is. With load balancers, a task counts once it is `healthy` in every one of its
        target groups (and HEALTHY where it has container health checks too)."""
        if not (t.live and t.running):
            return False
        # A task with no target (its target group was deleted, or it ran before ecsd
        # served load balancers) counts as a task without one.
        if self.balanced and service_targets.registered(t.rt):
            if t.checked and t.doc.get("healthStatus") != "HEALTHY":
                return False
            states = self.target_health(t)
            if any(h[1] == "initial" for h in states):
                self.checking = True
            return all(h[1] == "healthy" for h in states)
        if t.checked:
            return t.doc.get("healthStatus") == "HEALTHY"
        if not settle:
            return True
        ready = float(t.doc.get("startedAt") or self.now) + self.healthy_after
        if ready > self.now:
            self.wake_at.append(ready)
            return False
        return True

    @property
    def balanced(self) -> bool:
        """The service (or one of its task sets) has target groups: their health is what
        counts."""
        balancers = list(self.doc.get("loadBalancers") or [])
        for task_set in self.doc.get("taskSets") or []:
            balancers += task_set.get("loadBalancers") or []
        return any(lb.get("targetGroupArn") for lb in balancers)

    def target_health(self, t: Task) -> list[tuple[Any, str, str | None, str | None]]:
        """The task's targets with their health, as the store has it (read once a pass)."""
        if t.arn not in self._health:
            self._health[t.arn] = service_targets.health(self.ctx, t.rt)
        return self._health[t.arn]

    def elb_unhealthy(self, t: Task) -> tuple[Any, str | None] | None:
        """The first of the task's targets that is `unhealthy`, with the reason's
        description, once past the grace period; else None."""
        if not (t.live and t.running and self.balanced):
            return None
        for reg, state, _reason, description in self.target_health(t):
            if state == "unhealthy" and self.past_grace(t):
                return reg, description
        return None

    def past_grace(self, t: Task) -> bool:
        grace = float(self.doc.get("healthCheckGracePeriodSeconds") or 0)
        until = float(t.doc.get("startedAt") or self.now) + grace
        if until > self.now:
            self.wake_at.append(until)
            return False
        return True

    def unhealthy(self, t: Task) -> bool:
        """UNHEALTHY (a container's health check, or a target group's), and past the
        service's health check grace period."""
        if self.elb_unhealthy(t) is not None:
            return True
        if not (t.live and t.running and t.checked and t.doc.get("healthStatus") == "UNHEALTHY"):
            return False
        grace = float(self.doc.get("healthCheckGracePeriodSeconds") or 0)
        until = float(t.doc.get("startedAt") or self.now) + grace
        if until > self.now:
            self.wake_at.append(until)
            return False
        return True

    def _had_started(self, t: Task) -> bool:
        """Whether a task that stopped by itself had run long enough to count as started
        (else it is a start failure: backoff and the circuit breaker count it)."""
        if t.doc.get("healthStatus") == "HEALTHY":
            return True
        started = t.doc.get("startedAt")
        if not started:
            return False
        ended = t.doc.get("stoppingAt") or t.doc.get("stoppedAt") or self.now
        return float(ended) - float(started) >= self.healthy_after

    # -- the pass ------------------------------------------------------------------------
    def load_tasks(self) -> list[Task]:
        """The service's tasks not yet STOPPED, and those that stopped since the last
        pass (their stop may have to be counted)."""
        rows = task_model.of_service(self.ctx, self.doc, stopped_since=self.state.seen_until)
        out = []
        for doc, runtime in rows:
            checked = any(
                d.get("essential", True) and d.get("healthCheck")
                for d in runtime.get("containers") or []
            )
            out.append(
                Task(
                    doc=doc,
                    checked=checked,
                    protected_until=protection.until(runtime),
                    rt=runtime,
                )
            )
        out.sort(key=lambda t: float(t.doc["createdAt"]))
        return out

    def run(self) -> float:
        """Do the pass; return when to look again (epoch seconds)."""
        all_tasks = self.load_tasks()
        self.account(all_tasks)
        if task_sets.uses_task_sets(self.doc):
            return self.run_task_sets(all_tasks)
        live = [t for t in all_tasks if t.live]
        deployments = self.doc["deployments"]
        primary = deployments[0]
        desired = int(self.doc["desiredCount"]) if self.doc["status"] == "ACTIVE" else 0
        self.breaker(primary)
        primary = self.doc["deployments"][0]  # a rollback puts a new one first

        config = self.doc["deploymentConfiguration"]
        maximum, minimum = config["maximumPercent"], config["minimumHealthyPercent"]
        mine = [t for t in live if t.deployment == primary["id"]]
        others = [t for t in live if t.deployment != primary["id"]]
        sick = [t for t in mine if self.unhealthy(t)]
        ok = [t for t in mine if t not in sick]
        ok_healthy = [t for t in ok if self.healthy(t)]
        others_healthy = [t for t in others if self.healthy(t, settle=False)]
        counts = rollout.Counts(
            new_active=len(ok),
            new_healthy=len(ok_healthy),
            old_active=len(others),
            old_healthy=len(others_healthy),
        )
        step = rollout.step(
            desired, counts, maximum_percent=maximum, minimum_healthy_percent=minimum
        )
        room = rollout.max_tasks(desired, maximum) - len(live)
        start = max(0, min(step.start, room))
        if primary["rolloutState"] == "FAILED":
            start = 0  # the circuit breaker stopped this deployment's launches
        retry_at = self.state.retry_at
        if start and retry_at > self.now:
            self.wake_at.append(retry_at)
            start = 0
        if start > BATCH:
            start = BATCH
            self.wake_at.append(self.now)

        # Old deployments' tasks: ones not yet healthy first, then the oldest.
        by_age = {d["id"]: i for i, d in enumerate(reversed(deployments))}
        old_order = sorted(
            others, key=lambda t: (t in others_healthy, by_age.get(t.deployment, -1))
        )
        stop_old = self.unprotected(old_order, step.stop_old)
        # Scale-in: tasks not yet healthy first, then the newest.
        new_order = sorted(ok, key=lambda t: (t in ok_healthy, -float(t.doc["createdAt"])))
        stop_new = self.unprotected(new_order, step.stop_new)
        # An unhealthy task is replaced start-first: it stops once its replacement is
        # healthy, or at once when maximumPercent leaves no room for a replacement.
        replaced = len(ok_healthy) >= desired
        no_room = room <= 0 and len(ok) == len(ok_healthy)
        stop_sick = sick if (replaced or no_room) else []
        if len(stop_old) + len(stop_new) + len(stop_sick) > BATCH:
            stop_old = stop_old[:BATCH]
            stop_new = stop_new[: BATCH - len(stop_old)]
            stop_sick = stop_sick[: BATCH - len(stop_old) - len(stop_new)]
            self.wake_at.append(self.now)

        scaling = f"Scaling activity initiated by (deployment {primary['id']})"
        self.stop(stop_old + stop_new, "ServiceSchedulerInitiated", scaling)
        why: dict[str, list[Task]] = {}
        for t in stop_sick:
            elb = self.elb_unhealthy(t)
            if elb is not None:
                (group, _ip, port), description = elb
                self.event(
                    service_events.unhealthy_target(
                        self.name, t.arn, port, group, description or "Health checks failed"
                    )
                )
                reason = ELB_STOP_REASON.format(group)
            else:
                self.event(service_events.failed_health_checks(self.name, t.arn))
                reason = HEALTH_STOP_REASON
            self.count_failure(t, health=True)
            why.setdefault(reason, []).append(t)
        for reason, victims in why.items():
            self.stop(victims, "ServiceSchedulerInitiated", reason)
        started = (
            self.start(primary, start, replacing=min(start, len(sick)), live=live) if start else 0
        )

        stopped_arns = {t.arn for t in stop_old + stop_new + stop_sick}
        remaining = [t for t in live if t.arn not in stopped_arns]
        self.settle_deployments(primary, remaining)
        after = rollout.Counts(
            new_active=len(ok),
            new_healthy=len(ok_healthy),
            old_active=sum(t.arn not in stopped_arns for t in others),
            old_healthy=0,
        )
        # Behind a load balancer a deployment completes once the tasks it stopped have
        # drained (as ECS: deregistered, drained, then "deployment completed").
        self.draining = self.balanced and any(
            t.doc["desiredStatus"] == "STOPPED"
            and t.doc["lastStatus"] in ("RUNNING", "DEACTIVATING")
            and t.rt.get("targets")
            for t in all_tasks
        )
        settled = rollout.done(desired, after) and not sick and not self.draining
        if primary["rolloutState"] == "IN_PROGRESS" and settled and not started:
            self.complete(primary)
        if (
            primary["rolloutState"] == "IN_PROGRESS"
            and not (start or stopped_arns)
            and not settled
            and self.nothing_in_flight(live)
            and retry_at <= self.now
        ):
            self.event(service_events.stuck(self.name))
        self.steady(settled and not started and not stopped_arns)
        if self.doc["status"] == "DRAINING" and not remaining and not started:
            self.doc["status"] = "INACTIVE"
        self.state.seen_until = self.now
        return min(self.wake_at, default=self.now + IDLE_SECONDS)

    def run_task_sets(self, all_tasks: list[Task]) -> float:
        """The pass of a blue/green (CODE_DEPLOY / EXTERNAL) service: each task set moves
        to its computedDesiredCount (model/ecs/task_sets.py) with the same start and stop
        moves as a deployment; a deleted (DRAINING) set stops its tasks and leaves once
        they have stopped."""
        task_sets.rescale(self.ctx, self.doc)
        live = [t for t in all_tasks if t.live]
        sets = self.doc.get("taskSets") or []
        moved = False
        for s in sets:
            mine = [t for t in live if t.deployment == s["id"]]
            start, stop = task_sets.step(int(s["computedDesiredCount"]), len(mine))
            if start and self.state.retry_at > self.now:
                self.wake_at.append(self.state.retry_at)
                start = 0
            if start > BATCH or stop > BATCH:
                start, stop = min(start, BATCH), min(stop, BATCH)
                self.wake_at.append(self.now)
            # Scale-in: tasks not yet running first, then the newest.
            order = sorted(mine, key=lambda t: (t.running, -float(t.doc["createdAt"])))
            victims = self.unprotected(order, stop)
            self.stop(
                victims,
                "ServiceSchedulerInitiated",
                f"Scaling activity initiated by (deployment {s['id']})",
            )
            started = self.start(s, start, live=live) if start else 0
            moved |= bool(victims or started)
            remaining = [t for t in mine if t not in victims]
            # Behind a load balancer a task counts once its targets are healthy.
            ready = sum(1 for t in remaining if self.healthy(t, settle=False))
            task_sets.settle(self.ctx, s, ready, len(remaining) - ready + started)
        up = {t.deployment for t in all_tasks if t.doc["lastStatus"] != "STOPPED"}
        task_sets.gone(self.doc, up)
        steady = all(s["stabilityStatus"] == "STEADY_STATE" for s in self.doc["taskSets"])
        self.steady(steady and not moved)
        if self.doc["status"] == "DRAINING" and not moved and not up:
            self.doc["status"] = "INACTIVE"
        self.state.seen_until = self.now
        return min(self.wake_at, default=self.now + IDLE_SECONDS)

    def unprotected(self, order: list[Task], n: int) -> list[Task]:
        """The first `n` of `order` that are not scale-in protected. A protected task is
        passed over (and the pass looks again when its protection ends); when that leaves
        fewer than `n`, the service event says how many are protected, as ECS does."""
        if n <= 0:
            return []
        free = [t for t in order if t.protected_until <= self.now]
        held = [t for t in order if t.protected_until > self.now]
        if len(free) < n and held:
            self.wake_at.append(min(t.protected_until for t in held))
            self.event(
                service_events.protected_from_scale_in(
                    self.name, held[0].deployment, min(len(held), n - len(free))
                )
            )
        return free[:n]

    def nothing_in_flight(self, live: list[Task]) -> bool:
        """No task on its way up and none waiting out its time to count as healthy: the
        configuration alone holds the deployment. A target still in its first health
        checks is on its way up too, and a task draining is on its way down."""
        return (
            all(t.running for t in live)
            and not self.wake_at
            and not self.checking
            and not self.draining
        )

    # -- failures, backoff, circuit breaker ------------------------------------------------
    def account(self, all_tasks: list[Task]) -> None:
        """Count each task that stopped by itself, once: a start failure moves the backoff
        and the deployment's failedTasks; a task that had started clears the backoff."""
        accounted = set(self.state.accounted)
        keep = []
        for t in all_tasks:
            if t.doc["desiredStatus"] != "STOPPED":
                if (
                    t.running
                    and self.healthy(t)
                    and float(t.doc.get("startedAt") or 0) > self.state.failed_at
                ):
                    self.healthy_start(t)
                continue
            # Remembered while this pass still loads it: once STOPPED before the next
            # pass's `seen_until`, a task is never loaded again.
            keep.append(t.arn)
            if t.arn in accounted:
                continue
            if t.doc.get("stopCode") in FAILED_TO_START and not self._had_started(t):
                self.count_failure(t, health=False)
        self.state.accounted = keep

    def healthy_start(self, t: Task) -> None:
        """A task that started well since the last failure ends the run of failures: the
        backoff's, and (unless the breaker says resetOnHealthyTask false) its
        deployment's failedTasks, which count consecutive failures."""
        self.state.failures = 0
        breaker = self.doc["deploymentConfiguration"].get("deploymentCircuitBreaker") or {}
        if breaker.get("resetOnHealthyTask") is False:
            return
        for d in self.doc["deployments"]:
            if (
                d["id"] == t.deployment
                and d["rolloutState"] == "IN_PROGRESS"
                and d.get("failedTasks")
            ):
                d.update(failedTasks=0, updatedAt=self.now)
                self.state.health_failures.pop(d["id"], None)

    def count_failure(self, t: Task, *, health: bool) -> None:
        self.state.accounted.append(t.arn)
        for d in self.doc["deployments"]:
            if d["id"] == t.deployment and d["rolloutState"] == "IN_PROGRESS":
                d["failedTasks"] = int(d.get("failedTasks") or 0) + 1
                d["updatedAt"] = self.now
                if health:
                    by = self.state.health_failures
                    by[d["id"]] = by.get(d["id"], 0) + 1
        if health:
            return
        failures = self.state.failures + 1
        self.state.failures = failures
        self.state.failed_at = self.now
        delay = backoff_delay(failures)
        if delay:
            self.state.retry_at = self.now + delay
            self.event(service_events.inconsistent_starts(self.name))

    def breaker(self, primary: dict[str, Any]) -> None:
        config = self.doc["deploymentConfiguration"].get("deploymentCircuitBreaker") or {}
        if not config.get("enable") or primary["rolloutState"] != "IN_PROGRESS":
            return
        threshold = rollout.breaker_threshold(int(self.doc["desiredCount"]))
        if int(primary.get("failedTasks") or 0) < threshold:
            return
        health = self.state.health_failures.get(primary["id"], 0)
        why = (
            "tasks failed health checks."
            if health * 2 > int(primary["failedTasks"])
            else "tasks failed to start."
        )
        primary.update(
            rolloutState="FAILED",
            updatedAt=self.now,
            rolloutStateReason=f"ECS deployment circuit breaker: {why}",
        )
        self.event(service_events.deployment_failed(self.name, primary["id"], why))
        if not config.get("rollback"):
            return
        target = next(
            (
                d
                for d in self.doc["deployments"][1:] + self.state.retired
                if d.get("rolloutState") == "COMPLETED"
            ),
            None,
        )
        if target is None:
            return  # nothing to go back to: the service launches nothing more
        back = service_model.new_deployment(
            self.ctx, self.doc, self.state, target["taskDefinition"]
        )
        back["rolloutStateReason"] = (
            f"ECS deployment circuit breaker: rolling back to deploymentId {target['id']}."
        )
        self.event(service_events.rolling_back(self.name, target["id"]))

    # -- moves ---------------------------------------------------------------------------
    def stop(self, victims: list[Task], code: str, reason: str) -> None:
        stopped = []
        for t in victims:
            if task_model.request_stop(self.ctx, t.doc, stop_code=code, reason=reason):
                self.state.accounted.append(t.arn)
                stopped.append(t.arn)
        if stopped:
            self.event(service_events.stopped(self.name, stopped))

    def start(
        self,
        primary: dict[str, Any],
        n: int,
        *,
        replacing: int = 0,
        live: list[Task] | None = None,
    ) -> int:
        """Start `n` tasks of the primary deployment; `replacing` of them stand in for
        UNHEALTHY tasks, which the event says as ECS does."""
        # A task set has a launch type of its own; a deployment runs the service's.
        if (primary.get("launchType") or self.doc.get("launchType")) in ("EC2", "EXTERNAL"):
            # capacity providers (fid-ecs): no container instance on ecsd, as on a cluster
            # with none registered.
            self.event(service_events.no_container_instance(self.name))
            return 0
        providers = capacity.spread(
            self.doc.get("capacityProviderStrategy") or [],
            n,
            Counter(str(t.doc.get("capacityProviderName")) for t in live or []),
        )
        try:
            taskdef = task_definitions.load(self.ctx, primary["taskDefinition"])
        except AwsError as exc:
            self.event(service_events.unable_to_place(self.name, exc.message))
            return 0
        task_tags = []
        if self.doc.get("propagateTags") == "SERVICE":
            task_tags = tags.get(self.ctx, self.doc["serviceArn"])
        elif self.doc.get("propagateTags") == "TASK_DEFINITION":
            task_tags = tags.get(self.ctx, taskdef["taskDefinitionArn"])
        managed = []
        if self.doc.get("enableECSManagedTags"):
            managed = [
                {"key": "aws:ecs:clusterName", "value": arns.cluster_name(self.doc["clusterArn"])},
                {"key": "aws:ecs:serviceName", "value": self.name},
            ]
        made = []
        for i in range(n):
            doc = task_model.new_task(
                self.ctx,
                cluster_arn=self.doc["clusterArn"],
                taskdef=taskdef,
                p={"enableExecuteCommand": self.doc.get("enableExecuteCommand")},
                group=service_model.group(self.name),
                started_by=primary["id"],
                network=primary.get("networkConfiguration"),
                launch_type="FARGATE",
                task_tags=task_tags,
                capacity_provider=providers[i]
                if self.doc.get("capacityProviderStrategy")
                else None,
            )
            if managed:
                tags.put(self.ctx, doc["taskArn"], managed, reserved=True)
            made.append(doc["taskArn"])
        self.event(service_events.started(self.name, made, replacing=replacing))
        return len(made)

    # -- deployments and steadiness -------------------------------------------------------
    def settle_deployments(self, primary: dict[str, Any], remaining: list[Task]) -> None:
        """Older deployments shrink to the tasks they still have and leave deployments[]
        (INACTIVE) with their last one."""
        left: dict[str, int] = {}
        for t in remaining:
            left[t.deployment] = left.get(t.deployment, 0) + 1
        kept = [primary]
        for d in self.doc["deployments"][1:]:
            n = left.get(d["id"], 0)
            if n:
                if d["desiredCount"] != n:
                    d.update(desiredCount=n, updatedAt=self.now)
                kept.append(d)
            else:
                retired = {**d, "status": "INACTIVE", "desiredCount": 0, "updatedAt": self.now}
                self.state.retired = ([retired] + self.state.retired)[:RETIRED_KEPT]
        self.doc["deployments"] = kept

    def complete(self, primary: dict[str, Any]) -> None:
        primary.update(
            rolloutState="COMPLETED",
            updatedAt=self.now,
            rolloutStateReason=f"ECS deployment {primary['id']} completed.",
        )
        self.event(service_events.deployment_completed(self.name, primary["id"]))

    def steady(self, settled: bool) -> None:
        """Say so when the service becomes steady, and again every six hours it stays so;
        `settled` is false for a pass that moved anything."""
        if not settled or self.doc["status"] != "ACTIVE":
            self.state.steady = None
            return
        since = self.state.steady
        if since is None or self.now - float(since) >= STEADY_REPEAT_SECONDS:
            self.event(service_events.steady(self.name), dedupe=False)
            self.state.steady = self.now
            since = self.now
        self.wake_at.append(float(since) + STEADY_REPEAT_SECONDS)


def backoff_delay(failures: int) -> float:
    """Seconds the scheduler waits after `failures` consecutive start failures."""
    if failures < BACKOFF_AFTER:
        return 0.0
    return float(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (failures - BACKOFF_AFTER)))
