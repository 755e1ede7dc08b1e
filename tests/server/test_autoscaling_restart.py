"""Application Auto Scaling survives kill -9: targets, tags, policies (with their owned
alarms' names), scheduled actions with their next run, and activities."""

from __future__ import annotations

from conftest import client_for, register_web

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
T = {
    "ServiceNamespace": "ecs",
    "ResourceId": "service/keep/web",
    "ScalableDimension": "ecs:service:DesiredCount",
}


def test_kill9_keeps_scaling_configuration(ecsd_factory):
    server = ecsd_factory()
    ecs = client_for(server, "ecs")
    aas = client_for(server, "application-autoscaling")
    ecs.create_cluster(clusterName="keep")
    register_web(ecs)
    ecs.create_service(
        cluster="keep",
        serviceName="web",
        taskDefinition="web",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    arn = aas.register_scalable_target(**T, MinCapacity=0, MaxCapacity=0, Tags={"k": "v"})[
        "ScalableTargetARN"
    ]
    tt = aas.put_scaling_policy(
        **T,
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
    )
    aas.put_scheduled_action(
        **T,
        ScheduledActionName="nightly",
        Schedule="cron(0 1 * * ? *)",
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 0},
    )
    before = {
        "targets": aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"],
        "policies": aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"],
        "scheduled": aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"],
    }
    server.kill9()
    server.start()
    after = {
        "targets": aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"],
        "policies": aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"],
        "scheduled": aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"],
    }
    assert after == before
    assert {a["AlarmName"] for a in after["policies"][0]["Alarms"]} == {
        a["AlarmName"] for a in tt["Alarms"]
    }
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"k": "v"}
