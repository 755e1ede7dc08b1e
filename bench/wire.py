"""Build AWS API requests once, with botocore, for the load generator to replay.

A real botocore client serialises and SigV4-signs the call exactly as boto3 or the aws
CLI would; an event hook takes the finished request just before it would be sent and
answers it locally, so nothing goes on the wire here. The signature's credential scope
(`…/us-east-1/ecs/aws4_request`) is what moto routes by, so the requests must be signed
for the endpoint they are replayed against.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config

REGION = "us-east-1"


@dataclass(frozen=True)
class Wire:
    """One request as bytes: what the load generator sends."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def job(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body": base64.b64encode(self.body).decode(),
        }


class Builder:
    """Signed requests for one service at one endpoint."""

    def __init__(self, endpoint: str, service: str = "ecs", region: str = REGION) -> None:
        self.endpoint = endpoint.rstrip("/")
        session = botocore.session.get_session()
        self.client = session.create_client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}, parameter_validation=True),
        )
        self._captured: AWSPreparedRequest | None = None
        self.client.meta.events.register("before-send", self._capture)

    def _capture(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self._captured = request
        answer = AWSResponse(request.url, 200, {}, None)
        answer._content = b"{}"  # an empty, valid answer: the client returns at once
        return answer

    def build(self, operation: str, params: dict[str, Any]) -> Wire:
        self._captured = None
        self.client._make_api_call(operation, params)
        request = self._captured
        assert request is not None, f"botocore did not build {operation}"
        path = request.url[len(self.endpoint) :] or "/"
        headers = {
            k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()
        }
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        return Wire(request.method, path, headers, body)
