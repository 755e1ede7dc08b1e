"""botocore service models, loaded once, and the tables that route a request to one.

A request names its service in one of three ways: the JSON protocols' `X-Amz-Target`
prefix, the SigV4 credential scope's signing name, or (Query protocol, unsigned) the
`Action` being one of the service's operations. All three tables come from the models.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import botocore.session
from botocore.model import OperationModel, ServiceModel


@dataclass(frozen=True)
class ServiceSpec:
    """One hosted AWS service: its model plus the names requests use for it."""

    name: str  # botocore's name, e.g. "ecs", "elbv2"
    model: ServiceModel

    @property
    def protocol(self) -> str:
        return str(self.model.metadata["protocol"])

    @property
    def target_prefix(self) -> str | None:
        return self.model.metadata.get("targetPrefix")

    @property
    def signing_name(self) -> str:
        md = self.model.metadata
        return str(md.get("signingName") or md.get("endpointPrefix") or self.name)

    def operation(self, name: str) -> OperationModel | None:
        if name not in self.model.operation_names:
            return None
        return self.model.operation_model(name)


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def load(name: str) -> ServiceSpec:
    return ServiceSpec(name=name, model=_session().get_service_model(name))
