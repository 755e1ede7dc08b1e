"""The registry as a whole: DescribeRegistry (this account's, no replication), and the
registry-level reads tools make — its policy, scanning configuration, pull-through
cache rules, each repository's scanning configuration — answered as an ECR registry
with none of those features set up answers them.

Where the registry is — the `host:port` in every repositoryUri and proxyEndpoint — is
model/ecr/repositories.registry_host's to say, the one answer the registry's HTTP side
and the API share.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecr import repositories
from .api import check_name, operation


@operation("DescribeRegistry")
def describe_registry(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"registryId": ctx.account, "replicationConfiguration": {"rules": []}}


@operation("GetRegistryPolicy")
def get_registry_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # No registry policy can be set on ecsd's registry (PutRegistryPolicy is not hosted).
    raise AwsError(
        "RegistryPolicyNotFoundException",
        f"Registry policy does not exist in the registry with id '{ctx.account}'",
    )


@operation("GetRegistryScanningConfiguration")
def get_registry_scanning_configuration(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # ECR's default: basic scanning, no registry-level rules (ecsd scans nothing).
    return {"registryId": ctx.account, "scanningConfiguration": {"scanType": "BASIC", "rules": []}}


@operation("DescribePullThroughCacheRules")
def describe_pull_through_cache_rules(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # ecsd reaches no upstream registry: there are never pull-through cache rules.
    return {"pullThroughCacheRules": []}


@operation("BatchGetRepositoryScanningConfiguration")
def batch_get_repository_scanning_configuration(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for name in p["repositoryNames"]:
        check_name(name)
        row = repositories.get(ctx, name)
        if row is None:
            failures.append(
                {
                    "repositoryName": name,
                    "failureCode": "REPOSITORY_NOT_FOUND",
                    "failureReason": "REPOSITORY_NOT_FOUND",
                }
            )
            continue
        scan_on_push = bool(row.doc.get("imageScanningConfiguration", {}).get("scanOnPush"))
        found.append(
            {
                "repositoryArn": row.doc["repositoryArn"],
                "repositoryName": name,
                "scanOnPush": scan_on_push,
                "scanFrequency": "SCAN_ON_PUSH" if scan_on_push else "MANUAL",
                "appliedScanFilters": [],
            }
        )
    return {"scanningConfigurations": found, "failures": failures}
