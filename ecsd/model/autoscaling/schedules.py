"""Scheduled actions' schedule expressions, pure: `at(yyyy-mm-ddThh:mm:ss)`,
`rate(value unit)` and `cron(minutes hours day-of-month month day-of-week year)` as
Application Auto Scaling reads them, in an IANA time zone (UTC by default), and the
next time each fires after a given moment.

cron follows the EventBridge dialect AWS documents for scheduled scaling: six fields,
`*`, lists, ranges and `/` steps, month and weekday names, `?` for "any" in the day
fields, weekdays 1-7 with 1 = Sunday. `L`, `W` and `#` are not read here: such an
expression is refused (ecsd's limitation, said in the error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
DAYS = {d: i + 1 for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split())}
RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
SEARCH_DAYS = 366 * 5  # how far ahead a cron expression is looked for a next time


class ScheduleError(ValueError):
    """The expression cannot be read; the message says why."""


@dataclass(frozen=True)
class Schedule:
    kind: str  # "at" | "rate" | "cron"
    at: datetime | None = None  # at(): naive, in the schedule's zone
    every: int = 0  # rate(): seconds
    fields: tuple[frozenset[int], ...] = ()  # cron(): minute, hour, dom, month, dow, year
    any_dom: bool = True
    any_dow: bool = True


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"Invalid timezone: {name}") from exc


def parse(expression: str) -> Schedule:
    m = re.fullmatch(r"(at|rate|cron)\((.*)\)", expression.strip())
    if m is None:
        raise ScheduleError("Schedule must be an at(), rate() or cron() expression")
    kind, body = m.group(1), m.group(2).strip()
    if kind == "at":
        try:
            return Schedule("at", at=datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
        except ValueError as exc:
            raise ScheduleError("at() takes a time as yyyy-mm-ddThh:mm:ss") from exc
    if kind == "rate":
        parts = body.split()
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in RATE_UNITS:
            raise ScheduleError("rate() takes a positive whole number and a unit")
        value = int(parts[0])
        if value < 1 or (value == 1) != parts[1].endswith(("minute", "hour", "day")):
            raise ScheduleError("rate() takes a positive whole number and a unit")
        return Schedule("rate", every=value * RATE_UNITS[parts[1]])
    return _cron(body)


def _cron(body: str) -> Schedule:
    parts = body.split()
    if len(parts) != 6:
        raise ScheduleError("cron() takes six fields")
    bounds = [
        (0, 59, {}),
        (0, 23, {}),
        (1, 31, {}),
        (1, 12, MONTHS),
        (1, 7, DAYS),
        (1970, 2199, {}),
    ]
    fields = []
    for text, (lo, hi, names) in zip(parts, bounds, strict=True):
        fields.append(frozenset(_field(text, lo, hi, names)))
    any_dom, any_dow = parts[2] in ("*", "?"), parts[4] in ("*", "?")
    if parts[2] != "?" and parts[4] != "?":
        raise ScheduleError("cron() needs ? in day-of-month or day-of-week")
    return Schedule("cron", fields=tuple(fields), any_dom=any_dom, any_dow=any_dow)


def _value(text: str, names: dict[str, int]) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleError(f"cron() field value {text!r} is not supported")
    return int(text)


def _field(text: str, lo: int, hi: int, names: dict[str, int]) -> set[int]:
    out: set[int] = set()
    for item in text.split(","):
        rng, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ScheduleError(f"cron() step {item!r} is not supported")
        if rng in ("*", "?"):
            first, last = lo, hi
        elif "-" in rng:
            a, b = rng.split("-", 1)
            first, last = _value(a, names), _value(b, names)
        else:
            first = _value(rng, names)
            last = hi if step else first
        if not lo <= first <= last <= hi:
            raise ScheduleError(f"cron() field {item!r} is out of range {lo}-{hi}")
        out.update(range(first, last + 1, step or 1))
    return out


def next_time(
    schedule: Schedule,
    tz: ZoneInfo,
    after: float,
    *,
    base: float,
    start: float | None = None,
    end: float | None = None,
) -> float | None:
    """The first time (epoch seconds) strictly after `after` at which the schedule fires,
    inside [start, end] when given; None if it never fires again. `base` is when a
    rate() schedule counts from (its StartTime, else its creation)."""
    if start is not None and after < start:
        after = start - 1e-6
    t: float | None
    if schedule.kind == "at":
        assert schedule.at is not None
        t = schedule.at.replace(tzinfo=tz).timestamp()
        t = t if t > after else None
    elif schedule.kind == "rate":
        n = max(1, int((after - base) // schedule.every) + 1)
        t = base + n * schedule.every
    else:
        t = _next_cron(schedule, tz, after)
    if t is None or (end is not None and t > end):
        return None
    return t


def _next_cron(s: Schedule, tz: ZoneInfo, after: float) -> float | None:
    minutes, hours, doms, months, dows, years = s.fields
    local = datetime.fromtimestamp(after, UTC).astimezone(tz).replace(tzinfo=None)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(SEARCH_DAYS):
        dow = (day.weekday() + 1) % 7 + 1  # Monday=0 → 2; Sunday → 1
        day_ok = (s.any_dom or day.day in doms) and (s.any_dow or dow in dows)
        if day.year in years and day.month in months and day_ok:
            for h in sorted(hours):
                for mi in sorted(minutes):
                    cand = day.replace(hour=h, minute=mi)
                    ts = cand.replace(tzinfo=tz).timestamp()
                    if ts > after:
                        return ts
        day += timedelta(days=1)
    return None
