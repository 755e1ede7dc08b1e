"""The single HTTP entry point for every hosted AWS service.

Recognise the service and operation, decode and validate the input by the model, run the
provider's handler in a store transaction, encode the answer. Any failure becomes the
protocol's error shape; an unexpected exception is logged and answered as an internal
error, never as a stack trace.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from ..config import Settings
from ..store import Store
from . import validate
from .errors import AwsError
from .protocols import json as json_protocol
from .protocols import query as query_protocol
from .provider import Context, Operation, Provider

log = logging.getLogger(__name__)

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")

Notify = Callable[[set[str]], None]


class Gateway:
    def __init__(
        self,
        store: Store,
        providers: Iterable[Provider],
        settings: Settings,
        *,
        notify: Notify | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.region = settings.region
        self.account = settings.account_id
        self.notify = notify
        self.providers = list(providers)
        self._by_target = {p.spec.target_prefix: p for p in self.providers if p.spec.target_prefix}
        self._by_signing = {p.spec.signing_name: p for p in self.providers}
        self._query = [p for p in self.providers if p.spec.protocol == "query"]

    async def handle(self, request: web.Request) -> web.Response:
        request_id = str(uuid.uuid4())
        body = await request.read()
        scope = _SCOPE.search(request.headers.get("Authorization", ""))
        region = scope.group(1) if scope else self.region
        signing = scope.group(2) if scope else None
        target = request.headers.get("X-Amz-Target")
        if target:
            return await self._json(target, body, region, request_id)
        params = dict(parse_qsl(request.query_string, keep_blank_values=True))
        if body:
            try:
                params.update(parse_qsl(body.decode(), keep_blank_values=True))
            except UnicodeDecodeError:
                pass
        return await self._query_request(params, signing, region, request_id)

    async def _json(self, target: str, body: bytes, region: str, request_id: str) -> web.Response:
        prefix, _, name = target.rpartition(".")
        provider = self._by_target.get(prefix)
        headers = {"x-amzn-RequestId": request_id}
        content_type = "application/x-amz-json-1.1"
        try:
            if provider is None:
                raise AwsError(
                    "UnknownOperationException",
                    f"The service for target '{target}' is not served here.",
                )
            content_type = (
                f"application/x-amz-json-{provider.spec.model.metadata.get('jsonVersion', '1.1')}"
            )
            op = provider.operations.get(name)
            model = provider.spec.operation(name)
            if op is None or model is None:
                raise AwsError(
                    "UnknownOperationException",
                    f"Unknown operation {name} for {provider.spec.name}.",
                )
            params = json_protocol.decode(model.input_shape, body)
            validate.validate(model.input_shape, params, error_code=provider.validation_error)
            result = await self._run(provider, op, params, region, request_id)
            return web.Response(
                body=json_protocol.encode(model.output_shape, result),
                headers=headers,
                content_type=content_type,
            )
        except AwsError as error:
            status, extra, payload = json_protocol.encode_error(error)
            return web.Response(
                status=status, body=payload, headers={**headers, **extra}, content_type=content_type
            )

    async def _query_request(
        self, params: dict[str, str], signing: str | None, region: str, request_id: str
    ) -> web.Response:
        action = params.pop("Action", None)
        params.pop("Version", None)
        provider = self._by_signing.get(signing) if signing else None
        if provider is None and action:
            matches = [p for p in self._query if action in p.operations]
            provider = matches[0] if len(matches) == 1 else None
        namespace = "https://iam.amazonaws.com/doc/2010-05-08/"
        try:
            if provider is None or provider.spec.protocol != "query":
                raise AwsError(
                    "InvalidAction",
                    f"Could not find operation {action} for any service served here.",
                )
            namespace = provider.spec.model.metadata.get("xmlNamespace", namespace)
            op = provider.operations.get(action or "")
            model = provider.spec.operation(action or "")
            if op is None or model is None:
                raise AwsError(
                    "InvalidAction", f"Could not find operation {action} for {provider.spec.name}."
                )
            decoded = query_protocol.decode(model.input_shape, params)
            validate.validate(model.input_shape, decoded, error_code=provider.validation_error)
            result = await self._run(provider, op, decoded, region, request_id)
            body = query_protocol.encode(model, result, request_id, namespace)
            return web.Response(body=body, content_type=query_protocol.CONTENT_TYPE)
        except AwsError as error:
            status, payload = query_protocol.encode_error(error, request_id, namespace)
            return web.Response(
                status=status, body=payload, content_type=query_protocol.CONTENT_TYPE
            )

    async def _run(
        self,
        provider: Provider,
        op: Operation,
        params: dict[str, Any],
        region: str,
        request_id: str,
    ) -> dict[str, Any]:
        changed: set[str] = set()

        def unit(conn: Any) -> dict[str, Any]:
            ctx = Context(
                conn=conn,
                region=region,
                account=self.account,
                request_id=request_id,
                settings=self.settings,
            )
            result = op.handler(ctx, params)
            changed.update(ctx.changed)
            return result

        run: Callable[[Any], Awaitable[dict[str, Any]]] = (
            self.store.write if op.write else self.store.read
        )
        try:
            result = await run(unit)
        except AwsError:
            raise
        except Exception:
            log.exception("internal error in %s (request %s)", op.handler.__qualname__, request_id)
            raise AwsError(
                provider.internal_error,
                f"An internal error occurred in ecsd (request {request_id}); see the server log.",
                sender_fault=False,
            ) from None
        if changed and self.notify is not None:
            self.notify(changed)
        return result
