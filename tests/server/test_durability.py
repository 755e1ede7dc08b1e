"""kill -9 at any moment loses nothing acknowledged: clusters, task definitions and tags
survive, and revision numbers continue where they were."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import client_for


def _fargate(family: str) -> dict:
    return {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "app", "image": "nginx"}],
    }


def test_kill9_keeps_everything_acknowledged(ecsd_factory, tmp_path):
    server = ecsd_factory()
    ecs = client_for(server, "ecs")
    arn = ecs.create_cluster(clusterName="keep", tags=[{"key": "a", "value": "b"}])["cluster"][
        "clusterArn"
    ]
    ecs.update_cluster_settings(
        cluster="keep", settings=[{"name": "containerInsights", "value": "enabled"}]
    )
    # Acknowledged concurrently, right up to the kill.
    with ThreadPoolExecutor(8) as pool:
        revisions = list(
            pool.map(
                lambda _: ecs.register_task_definition(**_fargate("web"))["taskDefinition"][
                    "revision"
                ],
                range(40),
            )
        )
    assert sorted(revisions) == list(range(1, 41))
    ecs.deregister_task_definition(taskDefinition="web:40")
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    server.kill9()
    server.start()

    cluster = ecs.describe_clusters(clusters=["keep"], include=["TAGS", "SETTINGS"])["clusters"][0]
    assert cluster["clusterArn"] == arn and cluster["status"] == "ACTIVE"
    assert cluster["tags"] == [{"key": "a", "value": "b"}]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    listed = [
        a
        for p in ecs.get_paginator("list_task_definitions").paginate()
        for a in p["taskDefinitionArns"]
    ]
    assert len(listed) == 39
    assert (
        ecs.describe_task_definition(taskDefinition="web:40")["taskDefinition"]["status"]
        == "INACTIVE"
    )
    assert ecs.register_task_definition(**_fargate("web"))["taskDefinition"]["revision"] == 41
    settings = ecs.list_account_settings(name="awsvpcTrunking", effectiveSettings=True)
    assert settings["settings"][0]["value"] == "enabled"
