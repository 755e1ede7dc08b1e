"""HTTP-level failures answered in the AWS error shape, not aiohttp's plain text.

Some requests fail before the gateway can read them as AWS requests: a body larger than
the server takes (413), a `Content-Encoding` the body does not match (aiohttp cannot
decompress it), an exception that escaped a handler. SDKs parse only the AWS shape, so
this middleware answers each as the protocol the request was speaking: JSON when it
carried `X-Amz-Target`, Query's XML `ErrorResponse` otherwise. A failure never shows a
traceback; unexpected ones are logged.

Requests no SDK sends for the hosted operations are refused here, before any work: any
`Content-Encoding` (the daemon tells aiohttp not to inflate bodies, so a `br` or `gzip`
header is not answered in aiohttp's plain text), and a JSON-protocol request by another
method than POST or without a JSON Content-Type (it would otherwise run the operation).
The codes and texts for these are ecsd's own. (When a service whose model asks for
request compression is hosted — CloudWatch's PutMetricData — its gzip bodies are to be
inflated here for that operation, not refused.)

(Errors aiohttp's HTTP parser raises before any request exists — a malformed request
line — never reach a middleware and stay aiohttp's.)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from .errors import AwsError
from .protocols import json as json_protocol
from .protocols import query as query_protocol

log = logging.getLogger(__name__)

_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"

# The codes and texts below are ecsd's own: AWS's front ends answer these cases before
# any service sees them, and their exact words are not documented.
_BY_STATUS = {
    404: ("UnknownOperationException", "Not found."),
    405: ("UnknownOperationException", "Method not allowed."),
    413: ("RequestEntityTooLarge", "Request body is too large."),
}


def answer(request: web.Request, error: AwsError) -> web.Response:
    """`error` in the shape of the protocol `request` speaks."""
    request_id = str(uuid.uuid4())
    if request.headers.get("X-Amz-Target"):
        status, extra, body = json_protocol.encode_error(error)
        return web.Response(
            status=status,
            body=body,
            headers={"x-amzn-RequestId": request_id, **extra},
            content_type=json_protocol.CONTENT_TYPE,
        )
    status, body = query_protocol.encode_error(error, request_id, _NAMESPACE)
    return web.Response(status=status, body=body, content_type=query_protocol.CONTENT_TYPE)


# What AWS SDKs send with an `X-Amz-Target` (botocore: application/x-amz-json-<version>).
_JSON_TYPES = {"application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json"}


def _refused_at_http(request: web.Request) -> AwsError | None:
    """A request no AWS SDK sends for the hosted operations: a compressed body (none of
    them takes one; botocore compresses only where the model says so), or a JSON-protocol
    request by another method than POST or whose body does not say it is JSON."""
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return AwsError(
            "SerializationException"
            if request.headers.get("X-Amz-Target")
            else "MalformedQueryString",
            f"Content-Encoding {encoding[:40]!r} is not supported by this operation.",
        )
    if not request.headers.get("X-Amz-Target"):
        return None
    if request.method != "POST":
        return AwsError(
            "UnknownOperationException",
            f"The JSON protocol takes POST, not {request.method[:20]}.",
            status=405,
        )
    if request.content_type not in _JSON_TYPES:
        return AwsError(
            "UnsupportedMediaTypeException",
            "The request's Content-Type must be application/x-amz-json-1.0 or -1.1.",
            status=415,
        )
    return None


@web.middleware
async def aws_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if not request.path.startswith(("/_ecsd/", "/v2/", "/_console/")):
        refused = _refused_at_http(request)
        if refused is not None:
            return answer(request, refused)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or request.path.startswith("/_ecsd/"):
            raise
        code, text = _BY_STATUS.get(exc.status, ("InvalidRequest", exc.reason))
        return answer(request, AwsError(code, text, status=exc.status))
    except RequestPayloadError:
        # The body could not be read as sent: most often a Content-Encoding it does not
        # match (a `gzip` header on a plain body).
        code = (
            "SerializationException"
            if request.headers.get("X-Amz-Target")
            else ("MalformedQueryString")
        )
        text = "The request body could not be decoded as its Content-Encoding says."
        response = answer(request, AwsError(code, text))
        # The rest of the body cannot be read either: the connection closes after this
        # answer, and the body counts as read so that aiohttp does not try to drain it
        # (which fails again, and logs a traceback).
        response.force_close()
        request.content.feed_eof()
        return response
    except Exception:
        log.exception("unhandled error answering %s %s", request.method, request.path)
        return answer(
            request,
            AwsError("InternalFailure", "An internal error occurred in ecsd.", sender_fault=False),
        )
