"""Amazon ECR's API on the ecsd endpoint (JSON 1.1): repositories, images, layers,
lifecycle and repository policies, tags, the registry and its login token. The
registry's `/v2/` side (ecsd/registry/) works on the same model."""

from . import (  # noqa: F401  (registration)
    auth,
    images,
    layers,
    lifecycle,
    policies,
    registry,
    repositories,
    tags,
)
from .api import ecr

__all__ = ["ecr"]
