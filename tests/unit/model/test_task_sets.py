"""Task sets' arithmetic and states (model/ecs/task_sets.py), as pure functions on
documents in fake time."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from ecsd.aws.errors import AwsError
from ecsd.model.ecs import task_sets

SERVICE = "arn:aws:ecs:us-east-1:000000000000:service/prod/web"


def _unit(now: float = 1000.0) -> Any:
    return SimpleNamespace(now=now)


def _service(desired: int = 3) -> dict[str, Any]:
    return {
        "serviceArn": SERVICE,
        "clusterArn": "arn:aws:ecs:us-east-1:000000000000:cluster/prod",
        "desiredCount": desired,
        "status": "ACTIVE",
        "deploymentController": {"type": "EXTERNAL"},
        "taskSets": [],
    }


def _add(service: dict[str, Any], percent: float, unit: Any = None) -> dict[str, Any]:
    s = task_sets.new(
        unit or _unit(),
        service,
        taskdef_arn="arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
        launch_type="FARGATE",
        network=None,
        load_balancers=[],
        scale=task_sets.check_scale({"value": percent, "unit": "PERCENT"}),
    )
    service["taskSets"].append(s)
    return s


@pytest.mark.parametrize(
    ("desired", "percent", "want"),
    [(3, 100, 3), (3, 50, 2), (3, 0, 0), (1, 1, 1), (10, 33.3, 4), (0, 100, 0)],
)
def test_computed_desired_count_is_the_share_rounded_up(desired, percent, want) -> None:
    assert task_sets.computed_desired(desired, percent) == want


def test_a_task_set_arn_and_its_first_status() -> None:
    service = _service()
    blue = _add(service, 100)
    green = _add(service, 0)
    assert blue["status"] == "PRIMARY" and green["status"] == "ACTIVE"
    assert blue["taskSetArn"] == (
        f"arn:aws:ecs:us-east-1:000000000000:task-set/prod/web/{blue['id']}"
    )
    assert blue["id"].startswith("ecs-svc/") and blue["id"][8:].isdigit()
    assert (blue["computedDesiredCount"], green["computedDesiredCount"]) == (3, 0)


@pytest.mark.parametrize("scale", [{"value": 101}, {"value": -1}, {"value": 5, "unit": "COUNT"}])
def test_a_scale_outside_0_to_100_percent_is_refused(scale) -> None:
    with pytest.raises(AwsError) as err:
        task_sets.check_scale(scale)
    assert err.value.code == "InvalidParameterException"


def test_rescale_follows_desired_count_and_a_draining_or_deleted_service_keeps_none() -> None:
    service = _service(4)
    blue, green = _add(service, 100), _add(service, 50)
    service["desiredCount"] = 5
    task_sets.rescale(_unit(2000), service)
    assert (blue["computedDesiredCount"], green["computedDesiredCount"]) == (5, 3)
    assert blue["updatedAt"] == 2000
    task_sets.drain(_unit(), service, green)
    task_sets.rescale(_unit(), service)
    assert (green["status"], green["computedDesiredCount"]) == ("DRAINING", 0)
    service["status"] = "DRAINING"
    task_sets.rescale(_unit(), service)
    assert blue["computedDesiredCount"] == 0


def test_make_primary_demotes_the_old_primary() -> None:
    service = _service()
    blue, green = _add(service, 100), _add(service, 100)
    task_sets.make_primary(_unit(), service, green)
    assert (blue["status"], green["status"]) == ("ACTIVE", "PRIMARY")
    assert service["taskDefinition"] == green["taskDefinition"]


def test_step_moves_straight_to_the_count() -> None:
    assert task_sets.step(3, 0) == (3, 0)
    assert task_sets.step(1, 3) == (0, 2)
    assert task_sets.step(2, 2) == (0, 0)


def test_stability_and_when_it_changed() -> None:
    service = _service(2)
    s = _add(service, 100, _unit(10))
    assert (s["stabilityStatus"], s["stabilityStatusAt"]) == ("STABILIZING", 10)
    assert not task_sets.settle(_unit(20), s, running=1, pending=1)
    assert task_sets.settle(_unit(30), s, running=2, pending=0)
    assert (s["stabilityStatus"], s["stabilityStatusAt"]) == ("STEADY_STATE", 30)
    assert not task_sets.settle(_unit(40), s, running=2, pending=0)
    assert s["stabilityStatusAt"] == 30
    # A new count (UpdateTaskSet, UpdateService) is not met yet: STABILIZING at once.
    service["desiredCount"] = 3
    task_sets.rescale(_unit(50), service)
    assert (s["stabilityStatus"], s["stabilityStatusAt"]) == ("STABILIZING", 50)


def test_a_draining_set_leaves_once_its_last_task_has_stopped() -> None:
    service = _service()
    blue, green = _add(service, 100), _add(service, 100)
    task_sets.drain(_unit(), service, blue)
    task_sets.gone(service, {blue["id"], green["id"]})
    assert len(service["taskSets"]) == 2
    task_sets.gone(service, {green["id"]})
    assert service["taskSets"] == [green]


def test_find_by_id_or_arn() -> None:
    service = _service()
    s = _add(service, 100)
    assert task_sets.find(service, s["id"]) is s
    assert task_sets.find(service, s["taskSetArn"]) is s
    with pytest.raises(AwsError) as err:
        task_sets.find(service, "ecs-svc/0")
    assert err.value.code == "TaskSetNotFoundException"
