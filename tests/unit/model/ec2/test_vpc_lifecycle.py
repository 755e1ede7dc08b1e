"""The hooks the routing half plugs into: created hooks run in the create's unit of
work (the default VPC's too), a blocker refuses a delete with DependencyViolation and
nothing changes, deleted hooks run before the row goes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ecsd.aws.errors import AwsError
from ecsd.model.ec2 import defaults, subnets, vpc_lifecycle, vpcs
from ecsd.model.ec2.zones import zones

seen: list[tuple[str, str]] = []
blocked: set[str] = set()


def _created(unit: Any, vpc: dict[str, Any]) -> None:
    seen.append(("vpc+", vpc["VpcId"]))


def _blocker(unit: Any, vpc_id: str) -> bool:
    return vpc_id in blocked


def _deleted(unit: Any, vpc_id: str) -> None:
    seen.append(("vpc-", vpc_id))


def _subnet_created(unit: Any, subnet: dict[str, Any]) -> None:
    seen.append(("subnet+", subnet["SubnetId"]))


@pytest.fixture(autouse=True)
def hooks() -> Iterator[None]:
    added = [
        (vpc_lifecycle._vpc_created, _created),
        (vpc_lifecycle._vpc_blockers, _blocker),
        (vpc_lifecycle._vpc_deleted, _deleted),
        (vpc_lifecycle._subnet_created, _subnet_created),
    ]
    vpc_lifecycle.on_vpc_created(_created)
    vpc_lifecycle.vpc_blocker(_blocker)
    vpc_lifecycle.on_vpc_deleted(_deleted)
    vpc_lifecycle.on_subnet_created(_subnet_created)
    seen.clear()
    blocked.clear()
    yield
    for hooks_list, fn in added:
        hooks_list.remove(fn)


def test_created_blocked_deleted(world: Any) -> None:
    doc = world.run(lambda u: vpcs.create(u, "10.0.0.0/16"))
    assert seen == [("vpc+", doc["VpcId"])]
    blocked.add(doc["VpcId"])
    with pytest.raises(AwsError) as err:
        world.run(lambda u: vpcs.remove(u, doc["VpcId"]))
    assert err.value.code == "DependencyViolation"
    assert world.run(lambda u: vpcs.find(u, doc["VpcId"])) is not None
    blocked.clear()
    world.run(lambda u: vpcs.remove(u, doc["VpcId"]))
    assert seen[-1] == ("vpc-", doc["VpcId"])
    assert world.run(lambda u: vpcs.find(u, doc["VpcId"])) is None


def test_default_vpc_goes_through_the_hooks_once(world: Any) -> None:
    world.run(defaults.ensure)
    world.run(defaults.ensure)
    vpc_id = world.run(defaults.vpc_id)
    assert seen[0] == ("vpc+", vpc_id)
    assert [k for k, _ in seen] == ["vpc+"] + ["subnet+"] * len(zones("us-east-1"))
    made = world.run(lambda u: subnets.of_vpc(u, vpc_id))
    assert sorted(s.cidr for s in made) == ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"]


def test_a_hook_that_refuses_undoes_the_create(world: Any) -> None:
    def refuse(unit: Any, vpc: dict[str, Any]) -> None:
        raise AwsError("VpcLimitExceeded", "no")

    vpc_lifecycle.on_vpc_created(refuse)
    try:
        with pytest.raises(AwsError):
            world.run(lambda u: vpcs.create(u, "10.1.0.0/16"))
    finally:
        vpc_lifecycle._vpc_created.remove(refuse)
    assert world.run(vpcs.all_rows) == []
