"""Ten thousand malformed requests over every hosted operation: never a 5xx, always the
AWS error shape, never a traceback, and nothing changed by a refused request.

The requests come from botocore's models (every operation of every provider in
`ecsd.services.all_providers()`): for each one a skeleton with its required members, then
one mutation that makes it certainly invalid — a required member missing, a wrong JSON
type, null as a list member or map value, a lone surrogate, a number beyond its type, a
value outside its enum or length, a list nested far too deep — or protocol-level garbage
(truncated or non-object JSON, invalid UTF-8, an unknown X-Amz-Target, a gzip
Content-Encoding on a plain body, a garbage SigV4 region, Query garbage keys and bad
numbers). Forged `nextToken`s go to every List operation.

Every request but the forged tokens must be refused with a 4xx: a mutation is only used
where the model guarantees the refusal, so an answer of 2xx is a defect (or a generator
bug) and fails the test. The store's tables (the SQLite file read-only) are compared
before and after: a refused request commits nothing.

Deterministic (seeded); raw HTTP (aiohttp, 32 concurrent) to the daemon in-process, so
the whole run stays well within a minute.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import aiohttp
from botocore.model import ListShape, MapShape, Shape, StructureShape
from conftest import client_for

from ecsd.aws.protocols import ec2 as ec2_protocol
from ecsd.services import all_providers

SEED = 20261128
TOTAL = 10_000
CONCURRENCY = 32
REGION_SCOPE = "Credential=test/20260101/{region}/{service}/aws4_request"

# What no answer may contain: a Python traceback or repr leaking through.
LEAKS = ("Traceback", 'File "', "<class '", "object at 0x", "Error(", "ecsd/")


@dataclass
class Req:
    op: str  # "service:Operation", for the failure report
    kind: str  # the mutation, for the failure report
    headers: dict[str, str]
    body: bytes
    query: bool  # answered in Query's XML rather than JSON
    must_fail: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


# -- skeletons -------------------------------------------------------------------------------


def skeleton(shape: Shape, depth: int = 0) -> Any:
    """A plausible value for `shape`: required members only, minimal sizes."""
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        if depth > 6:
            return {}
        return {name: skeleton(shape.members[name], depth + 1) for name in meta.get("required", ())}
    if isinstance(shape, ListShape):
        return [skeleton(shape.member, depth + 1) for _ in range(max(meta.get("min", 0), 1))]
    if isinstance(shape, MapShape):
        return {}
    kind = shape.type_name
    if kind == "string":
        if meta.get("enum"):
            return meta["enum"][0]
        return "fuzz" + "z" * max(0, meta.get("min", 0) - 4)
    if kind in ("integer", "long"):
        return max(meta.get("min", 1), 1)
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "blob":
        return base64.b64encode(b"x").decode()
    if kind == "timestamp":
        return 1_700_000_000
    return "fuzz"


def members(shape: StructureShape, depth: int = 0, prefix: tuple[Any, ...] = ()) -> list[Any]:
    """(path, shape) of every member reachable through structures and lists, a few
    levels deep: the places a mutation can go. A path step is a member name or 0 (the
    first list item)."""
    out: list[Any] = []
    if depth > 3:
        return out
    for name, sub in shape.members.items():
        path = (*prefix, name)
        out.append((path, sub))
        inner = sub
        steps = path
        while isinstance(inner, ListShape):
            inner, steps = inner.member, (*steps, 0)
            out.append((steps, inner))
        if isinstance(inner, StructureShape):
            out.extend(members(inner, depth + 1, steps))
    return out


def put(doc: dict[str, Any], root: StructureShape, path: tuple[Any, ...], value: Any) -> None:
    """Set `value` at `path` in `doc`, creating the structures and lists on the way."""
    node: Any = doc
    shape: Shape = root
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(step, int):
            assert isinstance(shape, ListShape)
            shape = shape.member
            if not node:
                node.append(None)
            if last:
                node[0] = value
                return
            if not isinstance(node[0], dict | list):
                node[0] = [] if isinstance(shape, ListShape) else {}
            node = node[0]
        else:
            assert isinstance(shape, StructureShape)
            shape = shape.members[step]
            if last:
                node[step] = value
                return
            if not isinstance(node.get(step), dict | list):
                node[step] = [] if isinstance(shape, ListShape) else {}
            node = node[step]


# A marker replaced in the serialized body by raw text JSON cannot carry as a value.
RAW = "\u2603RAW\u2603"


def invalid_values(shape: Shape, rng: random.Random) -> list[tuple[str, Any]]:
    """(kind, value) pairs the model guarantees the service refuses for `shape`."""
    meta = shape.metadata
    kind = shape.type_name
    out: list[tuple[str, Any]] = []
    wrong = {
        "string": 12345,
        "integer": "1",
        "long": "1",
        "double": "1.5",
        "float": "1.5",
        "boolean": "true",
        "blob": 7,
        "timestamp": {"when": 1},
        "list": "not-a-list",
        "structure": ["not", "a", "structure"],
        "map": ["not", "a", "map"],
    }
    if kind in wrong:
        out.append(("wrong-type", wrong[kind]))
    if kind == "string":
        out.append(("lone-surrogate", "a\ud800b"))
        if meta.get("enum"):
            out.append(("enum", "NOT_A_VALUE_\x01"))
        if meta.get("max") and meta["max"] <= 200_000:
            out.append(("too-long", "x" * (meta["max"] + 1 + rng.randrange(100))))
        if meta.get("min", 0) >= 2:
            out.append(("too-short", "x"))
    if kind in ("integer", "long"):
        out.append(("int64", rng.choice([2**63, -(2**63) - 1, 10**30])))
        out.append(("float-for-int", 1.5))
        if kind == "integer":
            out.append(("int32", 2**31 + rng.randrange(1000)))
        if "min" in meta:
            out.append(("below-min", meta["min"] - 1))
        if "max" in meta and meta["max"] < 2**31 - 1:
            out.append(("above-max", meta["max"] + 1))
    if kind in ("double", "float"):
        out.append(("not-finite", RAW + "1e999"))
    if isinstance(shape, ListShape):
        out.append(("null-member", [None]))
        out.append(("deep", RAW + "[" * 3000 + "]" * 3000))
        if meta.get("max") and meta["max"] <= 5000 and shape.member.type_name == "string":
            out.append(("too-many", ["x"] * (meta["max"] + 1)))
    if isinstance(shape, MapShape):
        out.append(("null-value", {"k": None}))
    if isinstance(shape, StructureShape):
        out.append(("deep", RAW + "{" + '"a":{' * 2000 + "}" * 2001))
    return out


def serialize(doc: dict[str, Any]) -> bytes:
    text = json.dumps(doc)  # ensure_ascii: a lone surrogate travels as \ud800
    while RAW in text:
        # '"☃RAW☃<raw>"' → <raw>, unescaped
        start = text.index('"' + json.dumps(RAW)[1:-1])
        end = text.index('"', start + 1)
        raw = json.loads(text[start : end + 1])[len(RAW) :]
        text = text[:start] + raw + text[end + 1 :]
    return text.encode()


# -- generation ------------------------------------------------------------------------------


def generate(rng: random.Random) -> list[Req]:
    json_ops: list[Any] = []
    query_ops: list[Any] = []
    for provider in all_providers():
        for name in sorted(provider.operations):
            model = provider.spec.operation(name)
            assert model is not None
            (query_ops if provider.spec.protocol in ("query", "ec2") else json_ops).append(
                (provider, name, model)
            )
    reqs: list[Req] = []
    per_op = TOTAL // (len(json_ops) + len(query_ops)) + 1
    for provider, name, model in json_ops:
        reqs.extend(json_requests(provider, name, model, rng, per_op))
    for provider, name, model in query_ops:
        reqs.extend(query_requests(provider, name, model, rng, per_op * 3))
    rng.shuffle(reqs)
    return reqs


def json_requests(provider: Any, name: str, model: Any, rng: random.Random, n: int) -> list[Req]:
    spec = provider.spec
    version = spec.model.metadata.get("jsonVersion", "1.1")
    target = f"{spec.target_prefix}.{name}"
    shape = model.input_shape
    op = f"{spec.name}:{name}"

    def headers(**extra: str) -> dict[str, str]:
        return {
            "Content-Type": f"application/x-amz-json-{version}",
            "X-Amz-Target": target,
            "Authorization": "AWS4-HMAC-SHA256 "
            + REGION_SCOPE.format(region="us-east-1", service=spec.signing_name)
            + ", SignedHeaders=host, Signature=00",
            **extra,
        }

    base = skeleton(shape) if shape is not None else {}
    places = members(shape) if shape is not None else []
    required = list(shape.metadata.get("required", ())) if shape is not None else []
    token_member = next(
        (m for m in ("nextToken", "NextToken") if shape is not None and m in shape.members), None
    )
    out: list[Req] = []
    protocol = [
        "truncated",
        "not-object",
        "invalid-utf8",
        "unknown-op",
        "unknown-prefix",
        "gzip",
        "bad-region",
        "surrogate-region",
        "bad-content-type",
    ]
    while len(out) < n:
        doc = json.loads(json.dumps(base))
        roll = rng.random()
        if roll < 0.25:
            kind = rng.choice(protocol)
            body = json.dumps(doc).encode()
            h = headers()
            if kind == "truncated":
                text = json.dumps({**doc, "pad": "p" * 20})
                body = text[: rng.randrange(1, len(text) - 1)].encode()
            elif kind == "not-object":
                body = rng.choice([b"[]", b"1", b'"s"', b"null", b"[{}]"])
            elif kind == "invalid-utf8":
                body = b'{"x": "\xff\xfe\xc0"}' if not doc else body[:-1] + b', "\xff": "\xc3"}'
            elif kind == "unknown-op":
                h["X-Amz-Target"] = f"{spec.target_prefix}.NoSuch{name}"
            elif kind == "unknown-prefix":
                h["X-Amz-Target"] = f"Garbage_{rng.randrange(10**6)}.{name}"
            elif kind == "gzip":
                h["Content-Encoding"] = "gzip"
            elif kind == "bad-region":
                region = rng.choice(
                    ["nowhere", "US-EAST-1", "x" * 3000, "us-east-1a", "us-east-1\u00e9"]
                )
                h["Authorization"] = (
                    "AWS4-HMAC-SHA256 "
                    + REGION_SCOPE.format(region=region, service=spec.signing_name)
                    + ", SignedHeaders=host, Signature=00"
                )
            elif kind == "surrogate-region":
                h["Authorization"] = "raw-bytes"  # replaced by raw header bytes below
            elif kind == "bad-content-type":
                h["Content-Type"] = "text/plain"
                body = body[:-1]
            req = Req(op, kind, h, body, query=False)
            if kind == "surrogate-region":
                req.extra["raw_auth"] = (
                    b"AWS4-HMAC-SHA256 Credential=test/20260101/us-\xff\xfe-1/"
                    + spec.signing_name.encode()
                    + b"/aws4_request, SignedHeaders=host, Signature=00"
                )
            out.append(req)
            continue
        if token_member and roll < 0.32:
            forged = rng.choice(
                [
                    "!!!",
                    "x" * 20_000,
                    base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode(),
                    base64.urlsafe_b64encode(json.dumps([[1], 2, "x"]).encode()).decode(),
                    base64.urlsafe_b64encode(json.dumps([2**80]).encode()).decode(),
                    base64.urlsafe_b64encode(b'["\\ud800"]').decode(),
                    base64.urlsafe_b64encode(json.dumps(["\x00", True]).encode()).decode(),
                    base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
                ]
            )
            doc[token_member] = forged
            out.append(Req(op, "forged-token", headers(), serialize(doc), False, must_fail=False))
            continue
        if required and roll < 0.45:
            doc.pop(rng.choice(required), None)
            out.append(Req(op, "missing-required", headers(), serialize(doc), False))
            continue
        if not places:
            body = rng.choice([b"[", b"{", b'{"a":', b"\x00"])
            out.append(Req(op, "garbage", headers(), body, False))
            continue
        path, sub = rng.choice(places)
        choices = invalid_values(sub, rng)
        if not choices:
            continue
        kind, value = rng.choice(choices)
        put(doc, shape, path, value)
        out.append(Req(op, f"{kind}@{'.'.join(map(str, path))}", headers(), serialize(doc), False))
    return out


def query_requests(provider: Any, name: str, model: Any, rng: random.Random, n: int) -> list[Req]:
    spec = provider.spec
    op = f"{spec.name}:{name}"
    version = spec.model.metadata["apiVersion"]
    shape = model.input_shape
    out: list[Req] = []
    ec2 = spec.protocol == "ec2"

    def req(kind: str, form: dict[str, str] | bytes, must_fail: bool = True, **h: str) -> Req:
        body = form if isinstance(form, bytes) else urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **h}
        if ec2:
            # EC2 is routed by its signing scope only, and answers in its own error shape.
            scope = REGION_SCOPE.format(region="us-east-1", service="ec2")
            headers.setdefault("Authorization", f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host")
        return Req(op, kind, headers, body, True, must_fail, extra={"ec2": ec2})

    numbers = [
        (m, s)
        for m, s in (shape.members.items() if shape is not None else [])
        if s.type_name in ("integer", "long")
    ]
    while len(out) < n:
        roll = rng.random()
        form = {"Action": name, "Version": version}
        if roll < 0.2:
            # Keys no model has, some of them 32 KB of dots: the decoder's cost is bounded.
            for _ in range(rng.randrange(1, 50)):
                form[".".join(["member"] * rng.randrange(1, 3000))] = "v"
            out.append(req("garbage-keys", form, must_fail=False))
        elif roll < 0.35:
            form["Action"] = rng.choice(["NoSuchAction", "", "\x01\x02", "A" * 5000])
            out.append(req("bad-action", form))
        elif roll < 0.5:
            out.append(req("no-action", {"Version": version, "Foo": "bar"}))
        elif roll < 0.6:
            out.append(req("invalid-utf8", b"Action=" + name.encode() + b"&X=\xff\xfe%ff"))
        elif roll < 0.75 and numbers:
            member, member_shape = rng.choice(numbers)
            key = ec2_protocol.input_name(member_shape, member) if ec2 else member
            form[key] = rng.choice(["\x01\x02\x1b", "１２", "1e5", "9" * 40, "nan", ""])
            out.append(req("bad-number", form))
        else:
            auth = (
                "AWS4-HMAC-SHA256 "
                + REGION_SCOPE.format(
                    region=rng.choice(["nowhere", "x" * 2000, "us_east_1"]),
                    service=spec.signing_name,
                )
                + ", SignedHeaders=host, Signature=00"
            )
            out.append(req("bad-region", form, Authorization=auth))
    return out


# Strings every model allows but a handler must still cope with: Unicode digits where a
# revision goes, broken ARNs, separators alone, control and bidi characters, astral ones.
HOSTILE = [
    "fuzz:\uff11\uff12",
    "fuzz:-1",
    "fuzz:0",
    "fuzz:99999999999999999999999",
    "fuzz:",
    ":",
    "fuzz:1:2",
    "arn:aws:ecs:us-east-1:000000000000:task-definition/fuzz:\uff11",
    "arn:aws:ecs:us-east-1:000000000000:cluster/",
    "arn:aws:ecs:us-east-1:000000000000:task/fuzz/a/b/c",
    "arn:aws:ecs:zz-top-9:1:service/x",
    "arn:",
    "arn:aws:secretsmanager:us-east-1:000000000000:secret:",
    "arn:aws:ssm:us-east-1:000000000000:parameter",
    "arn:aws:logs:us-east-1:000000000000:log-group:fuzz:*",
    "/",
    "//",
    "/a//b/",
    "..",
    "%",
    "_",
    "*",
    "\\",
    "'\"",
    "\x00",
    "\t\n",
    "\u202e",
    "\U0001f600",
    "\U0001d7d9\U0001d7da",
    "{}",
    "[]",
    "null",
]


def hostile_requests(rng: random.Random, n: int) -> list[Req]:
    """Well-typed requests within the model's bounds whose strings are hostile: they may
    be accepted (so they run after the no-change check), but never with a 5xx."""
    ops = [
        (p, name, p.spec.operation(name))
        for p in all_providers()
        if p.spec.protocol not in ("query", "ec2")
        for name in sorted(p.operations)
    ]
    out: list[Req] = []
    while len(out) < n:
        provider, name, model = rng.choice(ops)
        shape = model.input_shape
        if shape is None:
            continue
        spec = provider.spec
        doc = skeleton(shape)
        places = [
            (path, sub)
            for path, sub in members(shape)
            if sub.type_name in ("string", "integer", "long")
        ]
        if not places:
            continue
        for path, sub in rng.sample(places, min(len(places), rng.randrange(1, 4))):
            meta = sub.metadata
            if sub.type_name == "string":
                if meta.get("enum"):
                    value: Any = rng.choice(meta["enum"])
                else:
                    value = rng.choice(HOSTILE)
                    value = value + "x" * max(0, meta.get("min", 0) - len(value))
                    value = value[: meta.get("max", len(value))]
            else:
                low = meta.get("min", -(2**31) if sub.type_name == "integer" else -(2**63))
                high = meta.get("max", 2**31 - 1 if sub.type_name == "integer" else 2**63 - 1)
                value = rng.choice([low, high, 0, 1, -1, min(max(low, 3), high)])
                value = min(max(value, low), high)
            put(doc, shape, path, value)
        headers = {
            "Content-Type": f"application/x-amz-json-{spec.model.metadata.get('jsonVersion', '1.1')}",
            "X-Amz-Target": f"{spec.target_prefix}.{name}",
        }
        out.append(
            Req(f"{spec.name}:{name}", "hostile", headers, serialize(doc), False, must_fail=False)
        )
    return out


# -- the run ---------------------------------------------------------------------------------


def snapshot(database: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read from the SQLite file read-only (WAL included)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall()))  # type: ignore[misc]
            for t in tables
        }
    finally:
        conn.close()


def check_answer(req: Req, status: int, body: bytes) -> str | None:
    """What is wrong with the answer, or None."""
    text = body.decode("utf-8", "replace")
    if status >= 500:
        return f"{status}: {text[:300]}"
    for leak in LEAKS:
        if leak in text:
            return f"leak {leak!r}: {text[:300]}"
    if status < 400:
        return f"accepted ({status}): {text[:200]}" if req.must_fail else None
    if req.query:
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as exc:
            return f"error XML not well formed ({exc}): {text[:300]}"
        if req.extra.get("ec2"):
            if root.tag != "Response" or root.find("Errors/Error/Code") is None:
                return f"not EC2's <Response><Errors>: {text[:300]}"
            return None
        if not root.tag.endswith("ErrorResponse") or root.find(".//{*}Code") is None:
            return f"not an ErrorResponse: {text[:300]}"
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return f"error not JSON: {text[:300]}"
    if not isinstance(doc.get("__type"), str) or not isinstance(doc.get("message"), str):
        return f"error without __type and message: {text[:300]}"
    return None


async def send_all(url: str, reqs: list[Req]) -> list[tuple[Req, str]]:
    problems: list[tuple[Req, str]] = []
    queue: asyncio.Queue[Req] = asyncio.Queue()
    for r in reqs:
        queue.put_nowait(r)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, auto_decompress=False
    ) as session:

        async def worker() -> None:
            while not queue.empty():
                r = queue.get_nowait()
                try:
                    if "raw_auth" in r.extra:
                        problem = await raw_request(url, r)
                    else:
                        async with session.post(url + "/", data=r.body, headers=r.headers) as resp:
                            problem = check_answer(r, resp.status, await resp.read())
                except (aiohttp.ClientError, OSError, ValueError) as exc:
                    problem = f"no answer: {exc!r}"
                if problem:
                    problems.append((r, problem))

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return problems


async def raw_request(url: str, r: Req) -> str | None:
    """One request whose Authorization header carries bytes that are not UTF-8 (no
    client library sends those)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        b"POST / HTTP/1.1\r\nHost: "
        + host.encode()
        + b"\r\nConnection: close\r\n"
        + b"".join(f"{k}: {v}\r\n".encode() for k, v in r.headers.items() if k != "Authorization")
        + b"Authorization: "
        + r.extra["raw_auth"]
        + f"\r\nContent-Length: {len(r.body)}\r\n\r\n".encode()
    )
    writer.write(head + r.body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1])
    return check_answer(r, status, body)


def seed_state(server: Any) -> None:
    """A little of everything, so mutated requests meet real names."""
    ecs = client_for(server, "ecs")
    ecs.create_cluster(clusterName="fuzz")
    ecs.create_cluster()
    ecs.register_task_definition(
        family="fuzz",
        containerDefinitions=[{"name": "fuzz", "image": "busybox", "memory": 64}],
    )
    client_for(server, "ssm").put_parameter(Name="fuzz", Value="v", Type="String")
    client_for(server, "secretsmanager").create_secret(Name="fuzz", SecretString="s")
    logs = client_for(server, "logs")
    logs.create_log_group(logGroupName="fuzz")
    logs.create_log_stream(logGroupName="fuzz", logStreamName="fuzz")
    # The first EC2 call makes the region's default VPC (a read that may be accepted
    # would otherwise be the one to make it).
    client_for(server, "ec2").describe_vpcs()


def test_ten_thousand_malformed_requests(no_engine):
    no_engine.reset()
    seed_state(no_engine)
    reqs = generate(random.Random(SEED))
    assert len(reqs) >= TOTAL
    covered = {r.op for r in reqs}
    expected = {f"{p.spec.name}:{n}" for p in all_providers() for n in p.operations}
    assert covered == expected

    # The requests that must be refused run first, between the two snapshots; the ones
    # that may be accepted (forged tokens, ignored garbage keys on a call with no
    # required member, such as AllocateAddress, which then really allocates) after.
    before = snapshot(no_engine.settings.database)
    started = time.perf_counter()
    problems = asyncio.run(send_all(no_engine.url, [r for r in reqs if r.must_fail]))
    after = snapshot(no_engine.settings.database)
    problems += asyncio.run(send_all(no_engine.url, [r for r in reqs if not r.must_fail]))
    elapsed = time.perf_counter() - started

    report = Counter(f"{r.op} {r.kind.split('@')[0]}: {p[:160]}" for r, p in problems)
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(
        f"{n} × {line}" for line, n in report.most_common(40)
    )
    changed = [t for t in before if before[t] != after.get(t)]
    assert not changed, f"refused requests changed tables {changed}"

    # Then well-typed hostile values, which may be accepted: no 5xx, no leak.
    hostile = hostile_requests(random.Random(SEED + 1), 3000)
    problems = asyncio.run(send_all(no_engine.url, hostile))
    elapsed = time.perf_counter() - started
    report = Counter(f"{r.op}: {p[:300]} <- {r.body[:200]!r}" for r, p in problems)
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(
        f"{n} × {line}" for line, n in report.most_common(40)
    )
    assert elapsed < 60, f"{len(reqs) + len(hostile)} requests took {elapsed:.1f} s"
