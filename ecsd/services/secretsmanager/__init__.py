"""Secrets Manager on the ecsd endpoint (what ECS task `secrets` read from)."""

from . import batch, listing, passwords, rotation, secrets, versions  # noqa: F401  (registration)
from .api import secretsmanager

__all__ = ["secretsmanager"]
