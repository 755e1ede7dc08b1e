"""What container-definition fields mean for the runtime (pure mapping)."""

from __future__ import annotations

from ecsd.controllers import container_spec as specs
from ecsd.controllers.tasks import awslogs

RT = {"family": "web", "revision": 3}
TASK = {"cpu": "512", "memory": "1024"}


def spec(definition: dict, **kw):
    args = dict(
        task=TASK,
        runtime=RT,
        task_id="abc",
        labels={"l": "1"},
        sandbox_id="sb",
        secrets={},
        region="eu-west-1",
        volume_names={},
        container_ids={},
    )
    args.update(kw)
    return specs.container_spec({"name": "app", "image": "img", **definition}, **args)


def test_names_are_deterministic_and_docker_safe():
    assert specs.docker_name("my_fam", 2, "app", "t1") == "ecs-my_fam-2-app-t1"
    assert spec({}).name == "ecs-web-3-app-abc"


def test_limits_follow_the_task_unless_the_container_has_its_own():
    s = spec({})
    assert s.memory_bytes == 1024 * 1024 * 1024 and s.nano_cpus == 500_000_000
    assert s.cpu_shares is None
    s = spec({"memory": 256, "memoryReservation": 128, "cpu": 128})
    assert s.memory_bytes == 256 * 1024 * 1024
    assert s.memory_reservation_bytes == 128 * 1024 * 1024 and s.cpu_shares == 128


def test_environment_has_ecs_variables_then_definition_then_secrets():
    s = spec(
        {"environment": [{"name": "A", "value": "1"}, {"name": "AWS_REGION", "value": "x"}]},
        secrets={"A": "secret"},
    )
    assert s.env["AWS_EXECUTION_ENV"] == "AWS_ECS_FARGATE"
    assert s.env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert s.env["AWS_REGION"] == "x" and s.env["A"] == "secret"


def test_healthcheck_in_nanoseconds_and_image_check_disabled_without_one():
    s = spec(
        {
            "healthCheck": {
                "command": ["CMD-SHELL", "true"],
                "interval": 5,
                "timeout": 2,
                "retries": 2,
                "startPeriod": 10,
            }
        }
    )
    assert s.healthcheck == {
        "test": ["CMD-SHELL", "true"],
        "interval": 5_000_000_000,
        "timeout": 2_000_000_000,
        "retries": 2,
        "start_period": 10_000_000_000,
    }
    assert spec({}).healthcheck == {"test": ["NONE"]}


def test_mounts_and_volumes_from():
    s = spec(
        {
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/d", "readOnly": True}],
            "volumesFrom": [{"sourceContainer": "other"}],
        },
        volume_names={"data": "ecsd-abc-data"},
        container_ids={"other": "cid"},
    )
    assert s.binds == ["ecsd-abc-data:/d:ro"] and s.volumes_from == ["cid:rw"]


def test_stop_timeout_default_and_misc():
    assert spec({}).stop_timeout == 30
    s = spec(
        {
            "stopTimeout": 5,
            "user": "1000",
            "workingDirectory": "/w",
            "readonlyRootFilesystem": True,
            "linuxParameters": {"initProcessEnabled": True},
            "ulimits": [{"name": "nofile", "softLimit": 10, "hardLimit": 20}],
        }
    )
    assert (s.stop_timeout, s.user, s.working_dir, s.readonly_rootfs, s.init) == (
        5,
        "1000",
        "/w",
        True,
        True,
    )
    assert s.ulimits == [{"name": "nofile", "soft": 10, "hard": 20}]


def test_start_order_levels():
    defs = [
        {"name": "app", "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]},
        {"name": "db"},
        {"name": "side"},
        {"name": "proxy", "dependsOn": [{"containerName": "app", "condition": "START"}]},
    ]
    assert specs.start_order(defs) == [["db", "side"], ["app"], ["proxy"]]


def test_log_target():
    d = {
        "name": "app",
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/g",
                "awslogs-region": "ap-northeast-1",
                "awslogs-stream-prefix": "logs",
            },
        },
    }
    assert awslogs.log_target(d, "t1", "us-east-1") == (
        "ap-northeast-1",
        "/g",
        "logs/app/t1",
        False,
    )
    assert awslogs.log_target({"name": "x"}, "t1", "us-east-1") is None


def test_what_the_task_reaches_from_inside_comes_before_the_definitions_own():
    inside = {"ECS_CONTAINER_METADATA_URI_V4": "http://x/v4/t", "AWS_ENDPOINT_URL": "http://x"}
    s = spec(
        {"environment": [{"name": "AWS_ENDPOINT_URL", "value": "https://ssm.example"}]},
        inside=inside,
    )
    assert s.env["ECS_CONTAINER_METADATA_URI_V4"] == "http://x/v4/t"
    assert s.env["AWS_ENDPOINT_URL"] == "https://ssm.example"  # the task's own wins
