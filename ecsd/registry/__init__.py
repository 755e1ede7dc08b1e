"""The registry ecsd serves on `/v2/`: the OCI distribution API (Docker registry v2), so
that the stock docker CLI logs in, pushes and pulls, and the task controller pulls what
was pushed. Metadata lives in the store through model/ecr/ (the same rows the ECR API
reads); blob bytes are streamed to and from disk (model/ecr/storage.py), never held whole
in memory and never read or written on the event loop."""

from .surface import Registry

__all__ = ["Registry"]
