"""List maximums AWS documents but botocore's models do not carry.

The models state `max` on many lists, but not on all the ones AWS enforces: DescribeClusters
takes 100 names, yet its model has no bound, and 50,000 names once took ecsd 33 s and a
36 MB answer. Each entry is keyed by (service, operation, member path — dotted member
names, no list indices) and says where AWS documents it.

ECS answers these with its own text, "<member> can have at most N items." (seen in its
answers for DescribeServices' `services` and DescribeContainerInstances'
`containerInstances`; the same wording is assumed for the others). The other services
answer the standard validation text (validate.py).
"""

from __future__ import annotations

LIST_MAX: dict[tuple[str, str, str], int] = {
    # ECS API reference, DescribeClusters: "A list of up to 100 cluster names or full
    # cluster Amazon Resource Name (ARN) entries."
    ("ecs", "DescribeClusters", "clusters"): 100,
    # ECS API reference, DescribeTasks: "A list of up to 100 task IDs or full ARN entries."
    ("ecs", "DescribeTasks", "tasks"): 100,
    # ECS API reference, DescribeServices: "You may specify up to 10 services to describe."
    ("ecs", "DescribeServices", "services"): 10,
    # ECS API reference, DeleteTaskDefinitions: "You can specify up to 10 task definitions
    # as a comma separated list."
    ("ecs", "DeleteTaskDefinitions", "taskDefinitions"): 10,
    # ECS service quotas: "Containers per task definition: 10" (RegisterTaskDefinition's
    # own check answers ECS's ClientException for its containerDefinitions), so no task
    # has more containers to override.
    ("ecs", "RunTask", "overrides.containerOverrides"): 10,
    # ECS API reference, PlacementConstraint / RunTask: "a maximum of 10 constraints per
    # task"; PlacementStrategy: "a maximum of 5 strategy rules".
    ("ecs", "RegisterTaskDefinition", "placementConstraints"): 10,
    ("ecs", "RunTask", "placementConstraints"): 10,
    ("ecs", "CreateService", "placementConstraints"): 10,
    ("ecs", "UpdateService", "placementConstraints"): 10,
    ("ecs", "RunTask", "placementStrategy"): 5,
    ("ecs", "CreateService", "placementStrategy"): 5,
    ("ecs", "UpdateService", "placementStrategy"): 5,
    # ECS API reference, AwsVpcConfiguration: "up to 16 subnets" and "up to 5 security
    # groups".
    ("ecs", "RunTask", "networkConfiguration.awsvpcConfiguration.subnets"): 16,
    ("ecs", "RunTask", "networkConfiguration.awsvpcConfiguration.securityGroups"): 5,
    ("ecs", "CreateService", "networkConfiguration.awsvpcConfiguration.subnets"): 16,
    ("ecs", "CreateService", "networkConfiguration.awsvpcConfiguration.securityGroups"): 5,
    ("ecs", "UpdateService", "networkConfiguration.awsvpcConfiguration.subnets"): 16,
    ("ecs", "UpdateService", "networkConfiguration.awsvpcConfiguration.securityGroups"): 5,
    # ECS service quotas: "Target groups per service: 5".
    ("ecs", "CreateService", "loadBalancers"): 5,
    ("ecs", "UpdateService", "loadBalancers"): 5,
    # ECS API reference, CapacityProviderStrategyItem: "A capacity provider strategy may
    # contain a maximum of 6 capacity providers"; a cluster's capacityProviders likewise.
    ("ecs", "RunTask", "capacityProviderStrategy"): 6,
    ("ecs", "CreateService", "capacityProviderStrategy"): 6,
    ("ecs", "UpdateService", "capacityProviderStrategy"): 6,
    ("ecs", "CreateCluster", "defaultCapacityProviderStrategy"): 6,
    ("ecs", "PutClusterCapacityProviders", "defaultCapacityProviderStrategy"): 6,
    # Tagging guides of each service: "Maximum number of tags per resource – 50".
    ("ecs", "UntagResource", "tagKeys"): 50,
    ("logs", "UntagLogGroup", "tags"): 50,
    ("ssm", "RemoveTagsFromResource", "TagKeys"): 50,
    ("secretsmanager", "CreateSecret", "Tags"): 50,
    ("secretsmanager", "TagResource", "Tags"): 50,
    ("secretsmanager", "UntagResource", "TagKeys"): 50,
    ("elbv2", "AddTags", "Tags"): 50,
    ("elbv2", "RemoveTags", "TagKeys"): 50,
    ("elbv2", "CreateLoadBalancer", "Tags"): 50,
    ("elbv2", "CreateTargetGroup", "Tags"): 50,
    ("elbv2", "CreateListener", "Tags"): 50,
    ("elbv2", "CreateRule", "Tags"): 50,
    # ELBv2 API reference, DescribeLoadBalancers: "You can specify up to 20 load balancers
    # in a single call."; DescribeTags: "You can specify up to 20 resources in a single call."
    ("elbv2", "DescribeLoadBalancers", "LoadBalancerArns"): 20,
    ("elbv2", "DescribeTags", "ResourceArns"): 20,
}


# Where AWS's exact words are known and differ from the pattern.
MESSAGES: dict[tuple[str, str, str], str] = {
    ("ecs", "DescribeServices", "services"): "service names can have at most 10 items.",
}


# Enum members a service checks in its own words instead of the front end's: ECS answers
# a wrong `include` item with "include should be one of [ATTACHMENTS,CONFIGURATIONS,
# SETTINGS,STATISTICS,TAGS]" (DescribeClusters, as reported from its answers; the same
# wording is assumed for the other Describe operations' `include`). Keyed by (service,
# top-level member); the values are the model's enum, in its order, joined by ",".
OWN_ENUM_WORDS: dict[tuple[str, str], str] = {
    ("ecs", "include"): "include should be one of [{values}]",
}


def own_enum_words(service: str, member: str) -> str | None:
    return OWN_ENUM_WORDS.get((service, member))


def message(service: str, operation: str, path: str) -> str | None:
    return MESSAGES.get((service, operation, path))


def for_operation(service: str, operation: str) -> dict[str, int]:
    """The documented list maximums of one operation, by member path."""
    return {path: n for (s, op, path), n in LIST_MAX.items() if s == service and op == operation}
