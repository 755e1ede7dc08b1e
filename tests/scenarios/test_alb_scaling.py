"""ALBRequestCountPerTarget target tracking scales a service out under load (issue #15
item 7): a real `ecsd serve --metric-period 2` (one CloudWatch minute is 2 s), a service
of one busybox httpd task behind the load balancer, a steady client; the load balancer's
RequestCountPerTarget crosses the policy's target, its AlarmHigh fires, and a second real
task starts and is registered in the target group."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_for

from .albutil import SteadyClient, balanced, health, make_alb, web_taskdef
from .taskutil import NETWORK, service, until, wait_stable

pytestmark = pytest.mark.usefixtures("docker_engine")

RID = "service/default/busy"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount"}


def test_request_count_per_target_scales_out(ecsd_factory: Any) -> None:
    server = ecsd_factory("--metric-period", "2")
    ecs, elbv2 = client_for(server, "ecs"), client_for(server, "elbv2")
    aas = client_for(server, "application-autoscaling")
    ecs.create_cluster(clusterName="default")
    alb = make_alb(elbv2, "busy", interval=5)
    ecs.create_service(
        serviceName="busy",
        taskDefinition=web_taskdef(ecs, "busy", "1"),
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        loadBalancers=balanced(alb),
    )
    wait_stable(ecs, "busy")
    until(lambda: [s for _, s in health(elbv2, alb)] == ["healthy"], timeout=30)

    aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=2)
    label = (
        alb.lb_arn.split(":loadbalancer/")[1] + "/" + alb.tg_arn.split(":")[-1]
    )  # app/<lb>/<id>/targetgroup/<tg>/<id>
    aas.put_scaling_policy(
        **T,
        PolicyName="per-target",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 20.0,  # requests per target per (2 s) minute
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": label,
            },
            "ScaleOutCooldown": 0,
            "ScaleInCooldown": 600,
        },
    )
    with SteadyClient(alb, rate=40) as client:  # ~80 per target per period: 4x the target
        until(lambda: service(ecs, "busy")["desiredCount"] == 2, timeout=60, every=0.5)
        until(
            lambda: [s for _, s in health(elbv2, alb)] == ["healthy", "healthy"],
            timeout=60,
            every=0.5,
        )
    assert client.tally.failed == 0, client.tally
    activities = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingActivities"
    ]
    causes = [a["Cause"] for a in activities]
    assert any(
        "monitor alarm TargetTracking-service/default/busy-AlarmHigh-" in c
        and "in state ALARM triggered policy per-target" in c
        for c in causes
    ), causes
    alarms = client_for(server, "cloudwatch").describe_alarms()["MetricAlarms"]
    high = [a for a in alarms if "AlarmHigh" in a["AlarmName"]]
    assert high and high[0]["MetricName"] == "RequestCountPerTarget"
    assert high[0]["Namespace"] == "AWS/ApplicationELB"
    assert high[0]["Dimensions"] == [{"Name": "TargetGroup", "Value": alb.tg_arn.split(":")[-1]}]
