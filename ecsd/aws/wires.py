"""The wire protocols the gateway speaks, behind one interface.

A `Wire` knows, for one family of AWS protocols, how a request names its service and
operation (`route`), how to turn the raw input into the operation's parameters
(`decode`), and how to answer a result or an error (`encode`, `encode_error`). The
gateway's one dispatch path does the rest — the same for every protocol — so a new
protocol (REST-XML for Route 53, the `ec2` Query variant) is a new `Wire`, not a second
copy of the dispatch. The shape-driven work stays in protocols/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from aiohttp import web
from botocore.model import OperationModel, StructureShape

from .errors import AwsError
from .protocols import cbor as cbor_protocol
from .protocols import json as json_protocol
from .protocols import query as query_protocol
from .provider import Provider


@dataclass
class Incoming:
    """What the gateway reads of every request before choosing a wire."""

    headers: Any  # the request's headers (case-insensitive mapping)
    query_string: str
    body: bytes
    signing: str | None  # the SigV4 credential scope's service, if signed
    path: str = "/"  # the request's path (RPC v2 CBOR names the operation in it)


@dataclass
class Routed:
    provider: Provider
    operation: str
    raw: Any  # what `decode` reads: the body (JSON) or the form parameters (Query)


class Wire(Protocol):
    # The error code for an operation (or service) that is not served here.
    unknown: str

    def route(self, incoming: Incoming) -> Routed: ...

    def unknown_operation(self, provider: Provider, name: str) -> AwsError: ...

    def decode(self, shape: StructureShape | None, raw: Any) -> dict[str, Any]: ...

    def encode(
        self, provider: Provider, model: OperationModel, result: dict[str, Any], request_id: str
    ) -> web.Response: ...

    def encode_error(
        self, provider: Provider | None, error: AwsError, request_id: str
    ) -> web.Response: ...


class JsonWire:
    """JSON 1.0/1.1: `X-Amz-Target: <prefix>.<Operation>` names both."""

    unknown = "UnknownOperationException"

    def __init__(self, providers: Iterable[Provider]) -> None:
        self._by_target = {p.spec.target_prefix: p for p in providers if p.spec.target_prefix}

    @staticmethod
    def matches(incoming: Incoming) -> bool:
        return bool(incoming.headers.get("X-Amz-Target"))

    def route(self, incoming: Incoming) -> Routed:
        target = incoming.headers.get("X-Amz-Target", "")
        prefix, _, name = target.rpartition(".")
        provider = self._by_target.get(prefix)
        if provider is None:
            raise AwsError(self.unknown, f"The service for target '{target}' is not served here.")
        return Routed(provider, name, incoming.body)

    def unknown_operation(self, provider: Provider, name: str) -> AwsError:
        return AwsError(self.unknown, f"Unknown operation {name} for {provider.spec.name}.")

    def decode(self, shape: StructureShape | None, raw: Any) -> dict[str, Any]:
        return json_protocol.decode(shape, raw)

    @staticmethod
    def _content_type(provider: Provider | None) -> str:
        if provider is None:
            return json_protocol.CONTENT_TYPE
        return f"application/x-amz-json-{provider.spec.model.metadata.get('jsonVersion', '1.1')}"

    def encode(
        self, provider: Provider, model: OperationModel, result: dict[str, Any], request_id: str
    ) -> web.Response:
        return web.Response(
            body=json_protocol.encode(model.output_shape, result),
            headers={"x-amzn-RequestId": request_id},
            content_type=self._content_type(provider),
        )

    def encode_error(
        self, provider: Provider | None, error: AwsError, request_id: str
    ) -> web.Response:
        status, extra, payload = json_protocol.encode_error(error)
        return web.Response(
            status=status,
            body=payload,
            headers={"x-amzn-RequestId": request_id, **extra},
            content_type=self._content_type(provider),
        )


class QueryWire:
    """Query in, XML out: the service by the credential scope's signing name, else by
    the `Action` being one of exactly one Query service's operations."""

    unknown = "InvalidAction"
    DEFAULT_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"

    def __init__(self, providers: Iterable[Provider]) -> None:
        providers = list(providers)
        self._by_signing = {p.spec.signing_name: p for p in providers}
        self._query = [p for p in providers if _speaks_query(p)]

    def route(self, incoming: Incoming) -> Routed:
        params = dict(parse_qsl(incoming.query_string, keep_blank_values=True))
        if incoming.body:
            try:
                params.update(parse_qsl(incoming.body.decode(), keep_blank_values=True))
            except UnicodeDecodeError:
                pass
        action = params.pop("Action", None)
        params.pop("Version", None)
        provider = self._by_signing.get(incoming.signing) if incoming.signing else None
        if provider is None and action:
            matches = [p for p in self._query if action in p.operations]
            provider = matches[0] if len(matches) == 1 else None
        if provider is None or not _speaks_query(provider):
            raise AwsError(
                self.unknown, f"Could not find operation {action} for any service served here."
            )
        return Routed(provider, action or "", params)

    def unknown_operation(self, provider: Provider, name: str) -> AwsError:
        return AwsError(self.unknown, f"Could not find operation {name} for {provider.spec.name}.")

    def decode(self, shape: StructureShape | None, raw: Any) -> dict[str, Any]:
        return query_protocol.decode(shape, raw)

    def _namespace(self, provider: Provider | None) -> str:
        if provider is None or not _speaks_query(provider):
            return self.DEFAULT_NAMESPACE
        return str(provider.spec.model.metadata.get("xmlNamespace", self.DEFAULT_NAMESPACE))

    def encode(
        self, provider: Provider, model: OperationModel, result: dict[str, Any], request_id: str
    ) -> web.Response:
        body = query_protocol.encode(model, result, request_id, self._namespace(provider))
        return web.Response(body=body, content_type=query_protocol.CONTENT_TYPE)

    def encode_error(
        self, provider: Provider | None, error: AwsError, request_id: str
    ) -> web.Response:
        status, payload = query_protocol.encode_error(error, request_id, self._namespace(provider))
        return web.Response(status=status, body=payload, content_type=query_protocol.CONTENT_TYPE)


def _speaks_query(provider: Provider) -> bool:
    """A Query service, or one whose model lists Query among its protocols (CloudWatch:
    RPC v2 CBOR first, then JSON, then Query — older SDKs and Terraform send Query)."""
    md = provider.spec.model.metadata
    return provider.spec.protocol == "query" or "query" in md.get("protocols", [])


class CborWire:
    """Smithy RPC v2 CBOR: `POST /service/<Service>/operation/<Operation>` with the
    `smithy-protocol: rpc-v2-cbor` header; the service is the model's target prefix
    (the Smithy service shape's name)."""

    unknown = "UnknownOperationException"

    def __init__(self, providers: Iterable[Provider]) -> None:
        self._by_service = {p.spec.target_prefix: p for p in providers if p.spec.target_prefix}

    @staticmethod
    def matches(incoming: Incoming) -> bool:
        return incoming.headers.get("smithy-protocol", "") == "rpc-v2-cbor"

    def route(self, incoming: Incoming) -> Routed:
        parts = incoming.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "service" or parts[2] != "operation":
            # ecsd's own text: the path is not an RPC v2 operation path.
            raise AwsError(self.unknown, f"No operation at path '{incoming.path[:200]}'.")
        provider = self._by_service.get(parts[1])
        if provider is None or "smithy-rpc-v2-cbor" not in provider.spec.model.metadata.get(
            "protocols", [provider.spec.protocol]
        ):
            raise AwsError(self.unknown, f"The service '{parts[1][:200]}' is not served here.")
        return Routed(provider, parts[3], incoming.body)

    def unknown_operation(self, provider: Provider, name: str) -> AwsError:
        return AwsError(self.unknown, f"Unknown operation {name} for {provider.spec.name}.")

    def decode(self, shape: StructureShape | None, raw: Any) -> dict[str, Any]:
        return cbor_protocol.decode(shape, raw)

    def encode(
        self, provider: Provider, model: OperationModel, result: dict[str, Any], request_id: str
    ) -> web.Response:
        return web.Response(
            body=cbor_protocol.encode(model.output_shape, result),
            headers={"x-amzn-RequestId": request_id, **cbor_protocol.HEADERS},
            content_type=cbor_protocol.CONTENT_TYPE,
        )

    def encode_error(
        self, provider: Provider | None, error: AwsError, request_id: str
    ) -> web.Response:
        status, payload = cbor_protocol.encode_error(error)
        return web.Response(
            status=status,
            body=payload,
            headers={"x-amzn-RequestId": request_id, **cbor_protocol.HEADERS},
            content_type=cbor_protocol.CONTENT_TYPE,
        )
