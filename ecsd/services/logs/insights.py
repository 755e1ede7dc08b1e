"""Running a parsed Logs Insights query over log events: the records each event makes
(`@timestamp`, `@message`, `@logStream`, `@log`, `@ptr`, `@ingestionTime`, and the
fields of a JSON message, flattened as `a.b` / `a.0`), the commands applied in order,
and the rows GetQueryResults shows (lists of {field, value}, values as text).

Pure functions over plain dicts: the handlers (queries.py) read the events and store
the answer. Left out: `pattern`, `diff`, `unnest`, `filterIndex`, `SOURCE`, and the
rarer functions; a query naming one is refused as malformed.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .insights_parser import Binary, Call, Command, Field, Lit, QueryError, Unary, parse

AGGREGATES = {"count", "count_distinct", "sum", "avg", "min", "max"}
Record = dict[str, Any]


@dataclass(frozen=True)
class Stamp:
    """A time (ms since the epoch): shown as Insights shows @timestamp."""

    ms: int

    def __str__(self) -> str:
        return datetime.fromtimestamp(self.ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, Stamp):
        return float(value.ms)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _flatten(prefix: str, value: Any, out: Record) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _flatten(f"{prefix}.{i}", v, out)
    elif value is not None and prefix:
        out[prefix] = value


def record(
    *,
    account: str,
    group: str,
    stream: str,
    event_id: int,
    timestamp: int,
    ingestion: int,
    message: str,
) -> Record:
    """One event as a query sees it."""
    fields: Record = {}
    text = message.strip()
    if text.startswith("{"):
        try:
            _flatten("", json.loads(text), fields)
        except ValueError:
            pass
    ptr = base64.urlsafe_b64encode(f"{group}\n{stream}\n{event_id}".encode()).decode()
    fields.update(
        {
            "@timestamp": Stamp(timestamp),
            "@ingestionTime": Stamp(ingestion),
            "@message": message,
            "@logStream": stream,
            "@log": f"{account}:{group}",
            "@ptr": ptr,
        }
    )
    return fields


# --- expressions -------------------------------------------------------------------------


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        left, right = x, y
    else:
        left, right = _text(a), _text(b)  # type: ignore[assignment]
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def _like(value: Any, pattern: Any) -> bool:
    if value is None:
        return False
    if isinstance(pattern, re.Pattern):
        return pattern.search(_text(value)) is not None
    return _text(pattern) in _text(value)


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return None
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if y == 0:
        return None
    return x / y if op == "/" else math.fmod(x, y)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ispresent": lambda v: v is not None,
    "isempty": lambda v: v is None or _text(v) == "",
    "isblank": lambda v: v is None or _text(v).strip() == "",
    "strlen": lambda v: None if v is None else len(_text(v)),
    "tolower": lambda v: None if v is None else _text(v).lower(),
    "toupper": lambda v: None if v is None else _text(v).upper(),
    "trim": lambda v: None if v is None else _text(v).strip(),
    "concat": lambda *vs: "".join(_text(v) for v in vs if v is not None),
    "abs": lambda v: None if _number(v) is None else abs(_number(v) or 0.0),
    "floor": lambda v: None if _number(v) is None else float(math.floor(_number(v) or 0.0)),
    "ceil": lambda v: None if _number(v) is None else float(math.ceil(_number(v) or 0.0)),
    "replace": lambda v, a, b: None if v is None else _text(v).replace(_text(a), _text(b)),
    "strcontains": lambda v, s: v is not None and _text(s) in _text(v),
}


def evaluate(e: Any, rec: Record) -> Any:
    if isinstance(e, Lit):
        return e.value
    if isinstance(e, Field):
        return rec.get(e.name)
    if isinstance(e, Unary):
        if e.op == "not":
            return not _truthy(evaluate(e.arg, rec))
        n = _number(evaluate(e.arg, rec))
        return None if n is None else -n
    if isinstance(e, Binary):
        if e.op == "and":
            return _truthy(evaluate(e.left, rec)) and _truthy(evaluate(e.right, rec))
        if e.op == "or":
            return _truthy(evaluate(e.left, rec)) or _truthy(evaluate(e.right, rec))
        left = evaluate(e.left, rec)
        if e.op == "in":
            return any(_compare("=", left, evaluate(v, rec)) for v in e.right.value)
        right = evaluate(e.right, rec)
        if e.op in ("like", "=~"):
            return _like(left, right)
        if e.op == "notlike":
            return left is not None and not _like(left, right)
        if e.op in ("+", "-", "*", "/", "%"):
            return _arith(e.op, left, right)
        return _compare(e.op, left, right)
    if isinstance(e, Call):
        if e.name == "bin":
            stamp = rec.get("@timestamp")
            span = int(e.args[0].value * 1000)
            return Stamp(stamp.ms - stamp.ms % span) if isinstance(stamp, Stamp) else None
        return _FUNCTIONS[e.name](*(evaluate(a, rec) for a in e.args))
    raise TypeError(e)


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != ""


def _check(e: Any, *, aggregate_ok: bool) -> None:
    """Refuse unknown functions, and aggregates outside stats, before running."""
    if isinstance(e, Call):
        known = e.name in _FUNCTIONS or e.name == "bin"
        if e.name in AGGREGATES and aggregate_ok:
            known = True
        if not known:
            raise QueryError(f"unknown function {e.name}", 0, 0)
        for a in e.args:
            _check(a, aggregate_ok=False)
    elif isinstance(e, Unary):
        _check(e.arg, aggregate_ok=False)
    elif isinstance(e, Binary):
        _check(e.left, aggregate_ok=False)
        _check(e.right, aggregate_ok=False)


# --- commands ----------------------------------------------------------------------------


def _aggregate(call: Call, records: list[Record]) -> Any:
    if call.name == "count":
        if call.star or not call.args:
            return len(records)
        return sum(1 for r in records if evaluate(call.args[0], r) is not None)
    values = [evaluate(call.args[0], r) for r in records] if call.args else []
    if call.name == "count_distinct":
        return len({_text(v) for v in values if v is not None})
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    if not numbers:
        return None
    if call.name == "sum":
        return sum(numbers)
    if call.name == "avg":
        return sum(numbers) / len(numbers)
    best = min(numbers) if call.name == "min" else max(numbers)
    stamps = [v for v in values if isinstance(v, Stamp)]
    return Stamp(int(best)) if stamps else best


def _stats(cmd: Command, records: list[Record]) -> list[Record]:
    groups: dict[tuple[str, ...], tuple[Record, list[Record]]] = {}
    for rec in records:
        keys = {name: evaluate(e, rec) for e, name in cmd.by}
        ident = tuple(_text(v) for v in keys.values())
        groups.setdefault(ident, (keys, []))[1].append(rec)
    if not cmd.by and not groups:
        groups[()] = ({}, [])
    out = []
    for ident in sorted(groups):
        keys, members = groups[ident]
        row = {k: v for k, v in keys.items() if v is not None}
        for e, name in cmd.items:
            value = _aggregate(e, members)
            if value is not None:
                row[name] = value
        out.append(row)
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    n = _number(value)
    if value is None:
        return (2, 0)
    return (0, n) if n is not None else (1, _text(value))


def _sorted(rows: list[Record], e: Any, desc: bool) -> list[Record]:
    """Stable, records without the value last whichever way round."""
    keyed = [(evaluate(e, r), r) for r in rows]
    present = [(v, r) for v, r in keyed if v is not None]
    present.sort(key=lambda pair: _sort_key(pair[0]), reverse=desc)
    return [r for _, r in present] + [r for v, r in keyed if v is None]


@dataclass
class Result:
    rows: list[list[dict[str, str]]]
    matched: int


def run(query: str, records: Iterable[Record], *, limit: int) -> Result:
    """Run `query` over `records` (newest first); at most `limit` rows come back."""
    commands = parse(query)
    for cmd in commands:
        for e, _name in cmd.items:
            _check(e, aggregate_ok=cmd.name == "stats")
        for e in [cmd.expr, *(e for e, _ in cmd.by), *(e for e, _ in cmd.order)]:
            if e is not None:
                _check(e, aggregate_ok=False)
    rows: list[Record] = list(records)
    shown: list[str] = []
    displayed = False
    aggregated = False
    matched: int | None = None
    for cmd in commands:
        if cmd.name == "fields":
            for rec in rows:
                for e, name in cmd.items:
                    value = evaluate(e, rec)
                    if value is not None:
                        rec[name] = value
            if not displayed:
                shown += [name for _, name in cmd.items if name not in shown]
        elif cmd.name == "display":
            for rec in rows:
                for e, name in cmd.items:
                    if not isinstance(e, Field):
                        value = evaluate(e, rec)
                        if value is not None:
                            rec[name] = value
            shown, displayed = [name for _, name in cmd.items], True
        elif cmd.name == "filter":
            rows = [rec for rec in rows if _truthy(evaluate(cmd.expr, rec))]
        elif cmd.name == "parse":
            assert cmd.pattern is not None
            for rec in rows:
                source = evaluate(cmd.expr, rec)
                m = cmd.pattern.search(_text(source)) if source is not None else None
                if m is not None:
                    groups = m.groupdict() if cmd.pattern.groupindex else None
                    values = (
                        groups
                        if groups is not None
                        else dict(zip(cmd.names, m.groups(), strict=True))
                    )
                    rec.update({k: v for k, v in values.items() if v is not None})
        elif cmd.name == "sort":
            for e, desc in reversed(cmd.order):
                rows = _sorted(rows, e, desc)
        elif cmd.name == "limit":
            if matched is None:
                matched = len(rows)
            rows = rows[: cmd.number]
        elif cmd.name == "dedup":
            seen: set[tuple[str, ...]] = set()
            kept = []
            for rec in rows:
                ident = tuple(_text(rec.get(n)) for n in cmd.names)
                if ident not in seen:
                    seen.add(ident)
                    kept.append(rec)
            rows = kept
        else:  # stats
            if matched is None:
                matched = len(rows)
            rows = _stats(cmd, rows)
            shown = [name for _, name in cmd.by] + [name for _, name in cmd.items]
            aggregated, displayed = True, True
    if matched is None:
        matched = len(rows)
    if not shown:
        shown = ["@timestamp", "@message"]
    out = []
    for rec in rows[:limit]:
        cells = [{"field": name, "value": _text(rec[name])} for name in shown if name in rec]
        if not aggregated and "@ptr" in rec and "@ptr" not in shown:
            cells.append({"field": "@ptr", "value": rec["@ptr"]})
        out.append(cells)
    return Result(out, matched)
