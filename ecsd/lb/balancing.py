"""Which target group and which target a forwarded request goes to.

- Weighted forward over several target groups: a weighted random draw per request; with
  group stickiness the chosen group is remembered in a cookie. ALB's cookie for this is
  `AWSALBTG`; its value is opaque on AWS, here a short stable token of the group's ARN
  (ecsd's own encoding, so it survives a restart of ecsd).
- Within a group: round robin or least outstanding requests over the *routable* targets
  (healthy, or `unavailable` because the group's health check is disabled). If none is
  routable and some are unhealthy, ALB fails open and sends to all registered targets;
  with no registered target — or only targets still in their first check — the load
  balancer answers 503 (`choose` returns None).
- Target stickiness: `lb_cookie` — the load balancer's cookie `AWSALB` names the target;
  `app_cookie` — once the application sets its cookie, the load balancer adds
  `AWSALBAPP-0` naming the target (AWS's names; the values are ecsd's own tokens).
- Slow start: during `slow_start_seconds` after a target turns healthy it receives a
  share of traffic growing linearly from ~0 to its full share (ALB's linear ramp).

A `Pool` is rebuilt with every table; its routable set is recomputed whenever a target's
health changes, so choosing a target is a tuple index, not a scan of health states.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ecsd.lb.table import Forward, Target, TargetGroup

GROUP_COOKIE = "AWSALBTG"
TARGET_COOKIE = "AWSALB"
APP_COOKIE = "AWSALBAPP-0"

_RNG = random.Random()
ROUTABLE_STATES = frozenset({"healthy", "unavailable"})


def token(*parts: str) -> str:
    """A short stable opaque token (cookie values never show ARNs or addresses)."""
    return hashlib.blake2s("\0".join(parts).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class GroupChoice:
    arn: str
    cookie: str | None  # the group-stickiness cookie value to set, if any


class ForwardChooser:
    """Chooses the target group of a forward action."""

    __slots__ = ("forward", "_arns", "_weights", "_by_token", "_single")

    def __init__(self, forward: Forward) -> None:
        self.forward = forward
        groups = [g for g in forward.groups if g.weight > 0] or list(forward.groups[:1])
        self._arns = [g.target_group_arn for g in groups]
        self._weights = [max(g.weight, 0) or 1 for g in groups]
        self._by_token = {token("tg", a): a for a in self._arns}
        self._single = self._arns[0] if len(self._arns) == 1 else None

    def choose(self, cookie: str | None, rng: random.Random | None = None) -> GroupChoice:
        if self._single is not None and not self.forward.stickiness_enabled:
            return GroupChoice(self._single, None)
        if self.forward.stickiness_enabled and cookie is not None:
            arn = self._by_token.get(cookie)
            if arn is not None:
                return GroupChoice(arn, cookie)
        if self._single is not None:
            arn = self._single
        else:
            arn = (rng or _RNG).choices(self._arns, weights=self._weights)[0]
        return GroupChoice(arn, token("tg", arn) if self.forward.stickiness_enabled else None)


class Pool:
    """One target group's targets as the balancer sees them."""

    def __init__(
        self,
        group: TargetGroup,
        state_of: Callable[[str], str],
        in_flight: Mapping[str, int],
        clock_now: Callable[[], float],
        healthy_since: Mapping[str, float] | None = None,
    ) -> None:
        self.group = group
        self.registered = group.targets
        self._state_of = state_of
        self._in_flight = in_flight
        self._now = clock_now
        self._healthy_since = healthy_since if healthy_since is not None else {}
        self._next = 0
        self._by_token = {token(group.arn, t.key): t for t in group.targets}
        self.routable: tuple[Target, ...] = ()
        self.fail_open = False
        self.refresh()

    def refresh(self) -> None:
        """Recompute the routable set after a health change."""
        states = [self._state_of(t.key) for t in self.registered]
        healthy = tuple(
            t for t, s in zip(self.registered, states, strict=True) if s in ROUTABLE_STATES
        )
        # Fail open: no target routable but some found unhealthy → all registered ones.
        # Targets all still `initial` get nothing yet (a new target gets traffic once
        # healthy), so the request is answered 503.
        self.fail_open = not healthy and "unhealthy" in states
        self.routable = healthy if healthy else (self.registered if self.fail_open else ())

    def target_token(self, target: Target) -> str:
        return token(self.group.arn, target.key)

    def sticky(self, value: str | None) -> Target | None:
        """The target a stickiness cookie names, if it is still routable."""
        if value is None:
            return None
        target = self._by_token.get(value)
        if target is not None and target in self.routable:
            return target
        return None

    def choose(self, rng: random.Random | None = None) -> Target | None:
        targets = self.routable
        n = len(targets)
        if n == 0:
            return None
        if n == 1:
            return targets[0]
        if self.group.algorithm == "least_outstanding_requests":
            target = self._least_outstanding(targets)
        else:
            i = self._next % n
            self._next = i + 1
            target = targets[i]
        if self.group.slow_start_seconds > 0 and not self.fail_open:
            target = self._slow_start(target, targets, rng or _RNG)
        return target

    def _least_outstanding(self, targets: tuple[Target, ...]) -> Target:
        counts = self._in_flight
        # Start the scan where the last one stopped, so ties rotate instead of always
        # picking the first target.
        n = len(targets)
        start = self._next % n
        self._next = start + 1
        best = targets[start]
        best_count = counts.get(best.key, 0)
        for k in range(1, n):
            t = targets[(start + k) % n]
            c = counts.get(t.key, 0)
            if c < best_count:
                best, best_count = t, c
        return best

    def _slow_start(
        self, target: Target, targets: tuple[Target, ...], rng: random.Random
    ) -> Target:
        """A target in its slow-start window is kept with probability elapsed/window,
        else the request goes to the next target that is past its window (if any)."""
        window = float(self.group.slow_start_seconds)
        now = self._now()

        def share(t: Target) -> float:
            since = self._healthy_since.get(t.key)
            if since is None:
                return 1.0
            return min(1.0, max(0.0, (now - since) / window))

        s = share(target)
        if s >= 1.0 or rng.random() < s:
            return target
        ramped = [t for t in targets if share(t) >= 1.0]
        if not ramped:
            return target
        return ramped[self._next % len(ramped)]
