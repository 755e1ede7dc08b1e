"""The single HTTP entry point for every hosted AWS service, and its in-process twin.

One dispatch path for every wire protocol (wires.py): route the request to a provider
and an operation, decode and validate the input by the model, run the provider's handler
in a unit of work, encode the answer. Any failure becomes the protocol's error shape; an
unexpected exception is logged and answered as an internal error, never as a stack
trace. `call()` runs the same validate → handler path without HTTP, for tests and for
the console.

The gateway knows nothing of the store: it is given a `Runner` (core.unit.Units.run, from
the composition root) that opens the unit of work, commits it and publishes what changed.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from aiohttp import web
from botocore.model import OperationModel

from ..config import Settings
from ..core.unit import Unit
from . import regions, validate
from .errors import AwsError
from .provider import Operation, Provider
from .wires import CborWire, Ec2Wire, Incoming, JsonWire, QueryWire, RestXmlWire, Wire

log = logging.getLogger(__name__)
T = TypeVar("T")

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


class Runner(Protocol):
    """Runs `fn` in one unit of work (a write transaction, or a read one) and publishes
    what it changed once committed."""

    def __call__(
        self,
        fn: Callable[[Unit], T],
        *,
        region: str,
        write: bool,
        request_id: str,
        caller: str = "",
    ) -> Awaitable[T]: ...


class Gateway:
    def __init__(self, run: Runner, providers: Iterable[Provider], settings: Settings) -> None:
        self.run = run
        self.settings = settings
        self.region = settings.region
        self.providers = list(providers)
        self._json = JsonWire(self.providers)
        self._query = QueryWire(self.providers)
        self._rest_xml = RestXmlWire(self.providers)
        self._cbor = CborWire(self.providers)
        self._ec2 = Ec2Wire(self.providers)
        self._by_name = {p.spec.name: p for p in self.providers}

    async def handle(self, request: web.Request) -> web.Response:
        request_id = str(uuid.uuid4())
        scope = _SCOPE.search(request.headers.get("Authorization", ""))
        incoming = Incoming(
            headers=request.headers,
            query_string=request.query_string,
            body=await request.read(),
            signing=scope.group(3) if scope else None,
            method=request.method,
            path=request.path,
        )
        region = scope.group(2) if scope else self.region
        caller = scope.group(1) if scope else ""
        wire: Wire = self._json if JsonWire.matches(incoming) else self._query
        if wire is self._query and self._rest_xml.matches(incoming):
            wire = self._rest_xml
        if CborWire.matches(incoming):
            wire = self._cbor
        if Ec2Wire.matches(incoming):
            wire = self._ec2
        provider: Provider | None = None
        try:
            routed = wire.route(incoming)
            provider = routed.provider
            regions.check(region, self.region, query=wire in (self._query, self._ec2))
            op, model = self._operation(provider, routed.operation, wire)
            params = wire.decode(model.input_shape, routed.raw)
            result = await self._invoke(
                provider, op, model, params, region, request_id, caller=caller
            )
            return wire.encode(provider, model, result, request_id)
        except AwsError as error:
            return wire.encode_error(provider, error, request_id)

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any] | None = None,
        *,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Run `operation` of `service` (botocore's name: "ecs", "ssm") in-process, with
        the same decoding, validation and unit of work as over HTTP: `params` (boto3's
        parameter names and values) are read as a JSON client would have sent them, so a
        wrong type is refused the same way. Raises `AwsError` as HTTP would answer it."""
        provider = self._by_name.get(service)
        if provider is None:
            raise AwsError("UnknownOperationException", f"{service} is not served here.")
        op, model = self._operation(provider, operation, self._json)
        body = json.dumps(params or {}, default=_json_value).encode()
        decoded = self._json.decode(model.input_shape, body)
        request_id = str(uuid.uuid4())
        return await self._invoke(provider, op, model, decoded, region or self.region, request_id)

    @staticmethod
    def _operation(provider: Provider, name: str, wire: Wire) -> tuple[Operation, OperationModel]:
        op = provider.operations.get(name)
        model = provider.spec.operation(name)
        if op is None or model is None:
            raise wire.unknown_operation(provider, name)
        return op, model

    async def _invoke(
        self,
        provider: Provider,
        op: Operation,
        model: OperationModel,
        params: dict[str, Any],
        region: str,
        request_id: str,
        *,
        caller: str = "",
    ) -> dict[str, Any]:
        validate.validate(
            model.input_shape,
            params,
            error_code=provider.validation_error,
            operation=model,
            patterns=provider.patterns,
        )
        try:
            return await self.run(
                lambda unit: op.handler(unit, params),
                region=region,
                write=op.write,
                request_id=request_id,
                caller=caller,
            )
        except AwsError:
            raise
        except Exception:
            log.exception("internal error in %s (request %s)", op.handler.__qualname__, request_id)
            raise AwsError(
                provider.internal_error,
                f"An internal error occurred in ecsd (request {request_id}); see the server log.",
                sender_fault=False,
            ) from None


def _json_value(value: Any) -> Any:
    """What a JSON client sends for the values boto3 users pass: epoch seconds for a
    timestamp, base64 for bytes."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} cannot be sent to an AWS API")
