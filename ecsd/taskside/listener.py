"""The HTTP surface a task reaches from inside, and the controller's `Inside` hook.

Where: ecsd listens, besides its own address, on the engine's bridge gateway (Docker's
172.17.0.1) at its own port, which every task's namespace routes to without root or
iptables; that base serves tasks without a task role. A task with a task role gets a
holder joined to ecsd's internal network `ecsd-taskside` (runtime/base.py), on which the
host is 169.254.170.2 — the address ECS's agent uses, and the one (besides loopback) the
AWS SDKs take `AWS_CONTAINER_CREDENTIALS_FULL_URI` from over plain HTTP — and ecsd
listens there too, at the same port. The engine makes that bridge, so this works for a
non-root ecsd in the docker group as for root. The network is internal: the task's
default route and published ports stay on its own network. Where the engine cannot make
it (a remote or rootless engine), such a task falls back to the gateway and the SDKs
refuse the credentials URI (logged).

What: `/v4/<token>` and `/v3/<token>` (the container, `/task`, `/stats`, `/task/stats`),
`/v2/credentials/<token>` (with the `Authorization` token; only for a task role, never
the execution role), and everything else is the AWS API (the same gateway as ecsd's own
port, behind the same guard), so `AWS_ENDPOINT_URL` can point here.

Tokens are HMACs (`keys.py`): a container can name only its own task.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .. import http_guard
from ..config import Settings
from ..core.clock import Clock
from ..runtime.base import ContainerState, Runtime, RuntimeError_
from . import metadata
from .keys import KeyView, TaskKeys, iso

log = logging.getLogger(__name__)

Doc = dict[str, Any]
Load = Callable[[str], Awaitable[tuple[Doc, Doc] | None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Records that an access key acts as a role in a session until an expiry (the store's STS
# sessions), so that STS answers the task's calls as the assumed role.
Remember = Callable[[str, str, str, float], Awaitable[None]]
# Per container: ecsd's endpoint on; `ECSD_AWS_ENDPOINT=off` in a container's environment
# (or `--no-task-endpoint` for the whole daemon) leaves AWS_ENDPOINT_URL unset, for tasks
# that must reach real AWS.
OPT_OUT = "ECSD_AWS_ENDPOINT"
# ECS's labels on every container (controllers/tasks/labels.py puts them there).
TASK_LABEL = "com.amazonaws.ecs.task-arn"
CONTAINER_LABEL = "com.amazonaws.ecs.container-name"
# Paths that carry an unguessable token instead of a SigV4 signature.
TOKEN_PATHS = ("/v2/credentials/", "/v3/", "/v4/")


class TaskSide:
    def __init__(
        self,
        settings: Settings,
        runtime: Runtime,
        load: Load,
        clock: Clock,
        aws: Handler,
        keys: TaskKeys,
        remember: Remember | None = None,
        issued: Callable[[str], str | None] | None = None,
    ) -> None:
        self.settings = settings
        self.runtime = runtime
        self.load = load
        self.clock = clock
        self.aws = aws
        self.keys = keys
        self.remember = remember
        self.issued = issued  # the secret of a key STS handed out (AssumeRole), for --auth
        self._remembered: set[str] = set()  # access key ids recorded since start
        self.gateway: str | None = None
        # token → (task arn, container name); the credentials tokens → (arn, "")
        self._metadata: dict[str, tuple[str, str]] = {}
        self._credentials: dict[str, str] = {}
        self._bases: dict[str, str] = {}  # task arn → the base URL its containers use
        self._runner: web.AppRunner | None = None
        self._site: asyncio.AbstractServer | None = None
        # 169.254.170.2, once ecsd listens there (None: tasks with a role use the gateway)
        self.taskside: str | None = None
        self._taskside_site: asyncio.AbstractServer | None = None

    # -- the HTTP surface ---------------------------------------------------------------
    def app(self) -> web.Application:
        keys = KeyView(dict(self.settings.access_keys), self.keys, self.clock.time, self.issued)
        app = web.Application(
            middlewares=[http_guard.middleware(self.settings, keys=keys, unsigned=TOKEN_PATHS)]
        )
        for version in ("v3", "v4"):
            base = f"/{version}/{{token}}"
            app.router.add_get(base, self._container)
            app.router.add_get(base + "/task", self._task)
            app.router.add_get(base + "/stats", self._container_stats)
            app.router.add_get(base + "/task/stats", self._task_stats)
        app.router.add_get("/v2/credentials/{token}", self._credentials_json)
        app.router.add_route("*", "/{tail:.*}", self.aws)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await self._bind_gateway()
        await self._bind_taskside()

    async def _bind_gateway(self) -> None:
        """Listen on the engine's gateway; tried again at each task start while no
        engine answered yet (ecsd may start before the engine does)."""
        try:
            self.gateway = await self.runtime.host_gateway()
        except RuntimeError_ as exc:
            log.warning("task side: no engine to ask for its gateway (%s)", exc)
        if not self.gateway:
            return
        port = self.port
        try:
            self._site = await self._serve(self.gateway, port)
        except OSError as exc:
            print(
                f"ecsd: WARNING: tasks cannot reach ecsd at {self.gateway}:{port} ({exc}); "
                "no task metadata endpoint for tasks without a namespace listener.",
                flush=True,
            )

    async def _bind_taskside(self) -> None:
        """Listen on 169.254.170.2 (the task-side network's gateway); tried again at
        each start of a task with a role while it is not bound."""
        try:
            address = await self.runtime.taskside_network()
        except RuntimeError_ as exc:
            log.warning("task side: no engine to make its network (%s)", exc)
            return
        if not address:
            return
        try:
            self._taskside_site = await self._serve(address, self.port)
            self.taskside = address
        except OSError as exc:
            print(
                f"ecsd: WARNING: cannot listen on {address}:{self.port} ({exc}); tasks "
                "with a task role get credentials the AWS SDKs refuse.",
                flush=True,
            )

    @property
    def port(self) -> int:
        return self.settings.taskside_port or self.settings.port

    async def _serve(
        self, host: str | None = None, port: int = 0, sock: socket.socket | None = None
    ) -> asyncio.AbstractServer:
        assert self._runner is not None and self._runner.server is not None
        loop = asyncio.get_running_loop()
        factory = http_guard.GuardedServer(self._runner.server, self.settings)
        if sock is not None:
            return await loop.create_server(factory, sock=sock)
        return await loop.create_server(factory, host, port, reuse_address=True)

    async def reset(self) -> None:
        """Forget every task (`/_ecsd/reset` removes them without their way down)."""
        for arn in list(self._bases):
            await self.leave(arn)
        self._remembered.clear()  # the store's sessions are wiped with it

    async def stop(self) -> None:
        await self.reset()
        for site in (self._site, self._taskside_site):
            if site is not None:
                site.close()
        self._site = self._taskside_site = None
        self.taskside = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the controller's hook ------------------------------------------------------------
    def needs_namespace(self, rt: Doc) -> bool:
        # A task with a role needs a holder: it joins the task-side network before the
        # first container starts, so the credentials address is there from the start.
        return bool(rt.get("taskRoleArn"))

    async def enter(self, doc: Doc, rt: Doc) -> None:
        arn = doc["taskArn"]
        if arn in self._bases:
            return
        if self._runner is not None:
            if self.gateway is None:
                await self._bind_gateway()
            if self.taskside is None and self.needs_namespace(rt):
                await self._bind_taskside()
        base = None
        sandbox = rt.get("sandbox")
        if sandbox and self.needs_namespace(rt) and self.taskside:
            try:
                await self.runtime.join_taskside(sandbox)
                base = f"http://{self.taskside}:{self.port}"
            except RuntimeError_ as exc:
                log.warning("task %s: not joined to the task-side network: %s", arn, exc)
        if base is None and self.gateway:
            base = f"http://{self.gateway}:{self.port}"
            if rt.get("taskRoleArn"):
                log.warning(
                    "task %s: credentials served at %s, which the AWS SDKs refuse over "
                    "http (neither loopback nor 169.254.170.2): the engine could not make "
                    "ecsd's task-side network",
                    arn,
                    base,
                )
        if base is None:
            return
        self._bases[arn] = base
        for d in rt["containers"]:
            self._metadata[self.keys.token("v4", arn, d["name"])] = (arn, d["name"])
        if rt.get("taskRoleArn"):
            self._credentials[self.keys.token("creds", arn)] = arn

    def environment(self, doc: Doc, rt: Doc, container: str) -> dict[str, str]:
        arn = doc["taskArn"]
        base = self._bases.get(arn)
        if base is None:
            return {}
        token = self.keys.token("v4", arn, container)
        env = {
            "ECS_CONTAINER_METADATA_URI_V4": f"{base}/v4/{token}",
            "ECS_CONTAINER_METADATA_URI": f"{base}/v3/{token}",
        }
        if rt.get("taskRoleArn"):
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = (
                f"{base}/v2/credentials/{self.keys.token('creds', arn)}"
            )
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = self.keys.token("auth", arn)
        definition = next(d for d in rt["containers"] if d["name"] == container)
        own = {e["name"]: e.get("value") for e in definition.get("environment") or []}
        if self.settings.task_endpoint and str(own.get(OPT_OUT, "")).lower() != "off":
            env["AWS_ENDPOINT_URL"] = base
        return env

    async def leave(self, arn: str) -> None:
        self._bases.pop(arn, None)
        for token in [t for t, (a, _) in self._metadata.items() if a == arn]:
            del self._metadata[token]
        for token in [t for t, a in self._credentials.items() if a == arn]:
            del self._credentials[token]

    # -- handlers -------------------------------------------------------------------------
    async def _resolve(
        self, request: web.Request
    ) -> tuple[Doc, Doc, str, dict[str, ContainerState]]:
        found = self._metadata.get(request.match_info["token"])
        loaded = await self.load(found[0]) if found else None
        if found is None or loaded is None:
            # ecsd's own text (the agent answers unknown ids with a 404 and a message).
            raise web.HTTPNotFound(text="Unable to get task metadata for this container.\n")
        doc, rt = loaded
        states: dict[str, ContainerState] = {}
        try:
            if all(c.get("runtimeId") for c in doc["containers"]):
                for c in doc["containers"]:
                    state = await self.runtime.inspect(c["runtimeId"])
                    if state is not None:
                        states[c["name"]] = state
            else:  # still starting: the ids are recorded at RUNNING; find them by label
                for state in await self.runtime.list({TASK_LABEL: doc["taskArn"]}):
                    name = state.labels.get(CONTAINER_LABEL)
                    if name:
                        states[name] = state
            owner = rt.get("sandbox") or next((st.id for st in states.values()), None)
            if not rt.get("ip") and owner:  # recorded at RUNNING: ask while starting
                net = await self.runtime.network(owner)
                rt.update(ip=net.ip, mac=net.mac)
        except RuntimeError_:
            pass  # no engine: the store's view alone
        rt.setdefault("gateway", self.gateway)
        return doc, rt, found[1], states

    @staticmethod
    def _v4(request: web.Request) -> bool:
        return request.path.startswith("/v4/")

    async def _container(self, request: web.Request) -> web.Response:
        doc, rt, name, states = await self._resolve(request)
        body = metadata.container_json(
            doc, rt, name, states.get(name), cluster=doc["clusterArn"], v4=self._v4(request)
        )
        return web.json_response(body)

    async def _task(self, request: web.Request) -> web.Response:
        doc, rt, _name, states = await self._resolve(request)
        body = metadata.task_json(doc, rt, states, cluster=doc["clusterArn"], v4=self._v4(request))
        return web.json_response(body)

    async def _container_stats(self, request: web.Request) -> web.Response:
        _doc, _rt, name, states = await self._resolve(request)
        state = states.get(name)
        return web.json_response(await self.runtime.stats(state.id) if state else None)

    async def _task_stats(self, request: web.Request) -> web.Response:
        _doc, _rt, _name, states = await self._resolve(request)
        samples = await asyncio.gather(*(self.runtime.stats(s.id) for s in states.values()))
        return web.json_response({s.id: v for s, v in zip(states.values(), samples, strict=True)})

    async def _credentials_json(self, request: web.Request) -> web.Response:
        arn = self._credentials.get(request.match_info["token"])
        if arn is None or request.headers.get("Authorization") != self.keys.token("auth", arn):
            # Nothing is told of a task that has no role, or of a wrong token.
            raise web.HTTPNotFound(text="Unable to get credentials.\n")  # ecsd's own text
        loaded = await self.load(arn)
        role = loaded[1].get("taskRoleArn") if loaded else None
        if not role:
            raise web.HTTPNotFound(text="Unable to get credentials.\n")
        minted = self.keys.mint(role, arn, self.clock.time())
        if self.remember is not None and minted.access_key_id not in self._remembered:
            # ECS names the session after the task's id.
            session = arn.rsplit("/", 1)[-1]
            await self.remember(minted.access_key_id, role, session, minted.expiration)
            self._remembered.add(minted.access_key_id)
        return web.json_response(
            {
                "AccessKeyId": minted.access_key_id,
                "SecretAccessKey": minted.secret_access_key,
                "Token": minted.token,
                "Expiration": iso(minted.expiration),
                "RoleArn": role,
            }
        )
