"""Application Auto Scaling's API for ECS services through boto3 and the aws CLI against
the daemon (no_engine: the API and the store, no containers): scalable targets, policies
with the alarms target tracking owns, scheduled actions, tags, paging, and AWS's errors
(a refused request changes nothing)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import AwsCli, aws_error, client_for, register_web

from ecsd.model.cloudwatch import alarms as cw_alarms

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
RID = "service/default/web"
DIM = "ecs:service:DesiredCount"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": DIM}


@pytest.fixture
def aas(no_engine, no_engine_ecs):
    register_web(no_engine_ecs)
    for name in ("web", "api"):
        no_engine_ecs.create_service(
            serviceName=name,
            taskDefinition="web:1",
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=NETWORK,
        )
    return client_for(no_engine, "application-autoscaling")


def alarm(server, name):
    async def read():
        return await server.daemon.units.run(
            lambda u: cw_alarms.get(u, name), region="us-east-1", write=False
        )

    return server._run(read())


def test_register_describe_update_and_deregister(aas, no_engine_ecs):
    arn = aas.register_scalable_target(**T, MinCapacity=0, MaxCapacity=4)["ScalableTargetARN"]
    assert arn.startswith("arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/")
    got = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert len(got) == 1
    t = got[0]
    assert (t["MinCapacity"], t["MaxCapacity"], t["ScalableTargetARN"]) == (0, 4, arn)
    assert t["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    }
    assert t["RoleARN"].endswith("AWSServiceRoleForApplicationAutoScaling_ECSService")
    # An update changes only what it names, and keeps the ARN.
    again = aas.register_scalable_target(
        **T, MaxCapacity=6, SuspendedState={"DynamicScalingInSuspended": True}
    )
    assert again["ScalableTargetARN"] == arn
    t = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[RID])["ScalableTargets"][
        0
    ]
    assert (t["MinCapacity"], t["MaxCapacity"]) == (0, 6)
    assert t["SuspendedState"]["DynamicScalingInSuspended"] is True
    aas.deregister_scalable_target(**T)
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    with pytest.raises(ClientError) as err:
        aas.deregister_scalable_target(**T)
    assert aws_error(err) == (
        "ObjectNotFoundException",
        "No scalable target found for service namespace: ecs, resource ID: service/default/web, "
        "scalable dimension: ecs:service:DesiredCount",
    )


def test_refusals_change_nothing(aas):
    with pytest.raises(ClientError) as err:
        aas.register_scalable_target(
            **{**T, "ResourceId": "service/default/nope"}, MinCapacity=0, MaxCapacity=1
        )
    assert aws_error(err) == (
        "ValidationException",
        "ECS service doesn't exist: service/default/nope",
    )
    with pytest.raises(ClientError) as err:
        aas.register_scalable_target(**T, MinCapacity=3, MaxCapacity=2)
    assert aws_error(err) == (
        "ValidationException",
        "Minimum capacity cannot be greater than maximum capacity",
    )
    with pytest.raises(ClientError) as err:
        aas.register_scalable_target(**T, MinCapacity=1)
    assert aws_error(err)[0] == "ValidationException"
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    with pytest.raises(ClientError) as err:
        aas.put_scaling_policy(
            **T,
            PolicyName="p",
            PolicyType="StepScaling",
            StepScalingPolicyConfiguration={
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
            },
        )
    assert aws_error(err) == (
        "ObjectNotFoundException",
        "No scalable target registered for service namespace: ecs, resource ID: "
        "service/default/web, scalable dimension: ecs:service:DesiredCount",
    )
    aas.register_scalable_target(**T, MinCapacity=0, MaxCapacity=2)
    with pytest.raises(ClientError) as err:
        aas.put_scaling_policy(
            **T,
            PolicyName="tt",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 100,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ALBRequestCountPerTarget"
                },
            },
        )
    assert aws_error(err)[0] == "ValidationException"
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    with pytest.raises(ClientError) as err:
        aas.delete_scaling_policy(**T, PolicyName="tt")
    assert aws_error(err) == (
        "ObjectNotFoundException",
        "No scaling policy found for service namespace: ecs, resource ID: service/default/web, "
        "scalable dimension: ecs:service:DesiredCount, policy name: tt",
    )


def test_target_tracking_owns_its_alarms(aas, no_engine):
    aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=4)
    out = aas.put_scaling_policy(
        **T,
        PolicyName="cpu50",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
            "ScaleOutCooldown": 60,
        },
    )
    arn = out["PolicyARN"]
    assert arn.startswith("arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:")
    assert arn.endswith(":resource/ecs/service/default/web:policyName/cpu50")
    names = sorted(a["AlarmName"] for a in out["Alarms"])
    assert len(names) == 2
    assert names[0].startswith("TargetTracking-service/default/web-AlarmHigh-")
    assert names[1].startswith("TargetTracking-service/default/web-AlarmLow-")
    high, low = alarm(no_engine, names[0]), alarm(no_engine, names[1])
    assert (high["Threshold"], high["EvaluationPeriods"], high["Period"]) == (50.0, 3, 60)
    assert high["ComparisonOperator"] == "GreaterThanThreshold"
    assert (low["Threshold"], low["EvaluationPeriods"]) == (45.0, 15)
    assert low["ComparisonOperator"] == "LessThanThreshold"
    assert high["AlarmActions"] == [arn] and high["Namespace"] == "AWS/ECS"
    assert {d["Name"]: d["Value"] for d in high["Dimensions"]} == {
        "ClusterName": "default",
        "ServiceName": "web",
    }
    # Put again with DisableScaleIn: same ARN, the high alarm kept, the low one gone.
    again = aas.put_scaling_policy(
        **T,
        PolicyName="cpu50",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
            "DisableScaleIn": True,
        },
    )
    assert again["PolicyARN"] == arn
    assert [a["AlarmName"] for a in again["Alarms"]] == [names[0]]
    assert alarm(no_engine, names[1]) is None
    assert alarm(no_engine, names[0])["Threshold"] == 60.0
    shown = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingPolicies"
    ][0]
    assert shown["PolicyName"] == "cpu50" and shown["Alarms"][0]["AlarmName"] == names[0]
    assert shown["TargetTrackingScalingPolicyConfiguration"]["DisableScaleIn"] is True
    # Deregistering the target deletes its policies and their alarms.
    aas.deregister_scalable_target(**T)
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert alarm(no_engine, names[0]) is None


def test_alb_request_count_per_target_watches_the_target_group(aas, no_engine):
    elb = client_for(no_engine, "elbv2")
    lb = elb.create_load_balancer(Name="my-lb", Subnets=["subnet-a", "subnet-b"])["LoadBalancers"][
        0
    ]["LoadBalancerArn"]
    vpc = elb.describe_load_balancers()["LoadBalancers"][0]["VpcId"]
    tg = elb.create_target_group(
        Name="my-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    label = lb.split(":loadbalancer/")[1] + "/" + tg.split(":")[-1]
    aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=4)
    config = {
        "TargetValue": 1000.0,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ALBRequestCountPerTarget",
            "ResourceLabel": label,
        },
    }
    out = aas.put_scaling_policy(
        **T,
        PolicyName="rps",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=config,
    )
    high = alarm(no_engine, next(a["AlarmName"] for a in out["Alarms"] if "High" in a["AlarmName"]))
    assert (high["Namespace"], high["MetricName"], high["Statistic"]) == (
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        "Sum",
    )
    assert high["Dimensions"] == [{"Name": "TargetGroup", "Value": tg.split(":")[-1]}]
    # A label naming a target group that does not exist is refused.
    gone = label.rsplit("/", 1)[0] + "/0000000000000000"
    config["PredefinedMetricSpecification"]["ResourceLabel"] = gone
    with pytest.raises(ClientError) as err:
        aas.put_scaling_policy(
            **T,
            PolicyName="rps2",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration=config,
        )
    assert aws_error(err)[0] == "ValidationException"
    assert len(aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]) == 1


def test_step_policy_scheduled_actions_tags_and_paging(aas, no_engine):
    target_arn = aas.register_scalable_target(
        **T, MinCapacity=0, MaxCapacity=3, Tags={"team": "a"}
    )["ScalableTargetARN"]
    aas.register_scalable_target(
        **{**T, "ResourceId": "service/default/api"}, MinCapacity=0, MaxCapacity=1
    )
    page = aas.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=1)
    assert len(page["ScalableTargets"]) == 1 and page["NextToken"]
    rest = aas.describe_scalable_targets(ServiceNamespace="ecs", NextToken=page["NextToken"])
    assert len(rest["ScalableTargets"]) == 1 and "NextToken" not in rest
    with pytest.raises(ClientError) as err:
        aas.describe_scalable_targets(ServiceNamespace="ecs", NextToken="bogus")
    assert aws_error(err)[0] == "InvalidNextTokenException"
    out = aas.put_scaling_policy(
        **T,
        PolicyName="step",
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
            "Cooldown": 60,
            "MetricAggregationType": "Average",
        },
    )
    assert "Alarms" not in out
    aas.put_scheduled_action(
        **T,
        ScheduledActionName="night",
        Schedule="cron(0 22 * * ? *)",
        Timezone="Asia/Tokyo",
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 1},
    )
    got = aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"][0]
    assert got["Schedule"] == "cron(0 22 * * ? *)" and got["Timezone"] == "Asia/Tokyo"
    assert got["ScheduledActionARN"].endswith(":scheduledActionName/night")
    with pytest.raises(ClientError) as err:
        aas.put_scheduled_action(
            **T,
            ScheduledActionName="bad",
            Schedule="cron(0 22 * *)",
            ScalableTargetAction={"MinCapacity": 0},
        )
    assert aws_error(err)[0] == "ValidationException"
    with pytest.raises(ClientError) as err:
        aas.put_scheduled_action(
            **T, ScheduledActionName="empty", Schedule="rate(1 hour)", ScalableTargetAction={}
        )
    assert aws_error(err) == (
        "ValidationException",
        "At least one of minimum capacity and maximum capacity should be provided",
    )
    assert len(aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]) == 1
    aas.delete_scheduled_action(**T, ScheduledActionName="night")
    with pytest.raises(ClientError) as err:
        aas.delete_scheduled_action(**T, ScheduledActionName="night")
    assert aws_error(err)[0] == "ObjectNotFoundException"
    aas.tag_resource(ResourceARN=target_arn, Tags={"env": "dev"})
    assert aas.list_tags_for_resource(ResourceARN=target_arn)["Tags"] == {
        "team": "a",
        "env": "dev",
    }
    aas.untag_resource(ResourceARN=target_arn, TagKeys=["team"])
    assert aas.list_tags_for_resource(ResourceARN=target_arn)["Tags"] == {"env": "dev"}
    aas.delete_scaling_policy(**T, PolicyName="step")
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []


def test_raising_the_minimum_raises_the_desired_count(aas, no_engine_ecs):
    aas.register_scalable_target(**T, MinCapacity=0, MaxCapacity=3)
    aas.register_scalable_target(**T, MinCapacity=2)
    assert no_engine_ecs.describe_services(services=["web"])["services"][0]["desiredCount"] == 2
    act = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingActivities"
    ]
    assert act[0]["Description"] == "Setting desired count to 2."
    assert act[0]["StatusCode"] == "Successful"


def test_the_aws_cli_drives_it(aas, no_engine):
    cli = AwsCli(no_engine)
    cli.json(
        "application-autoscaling",
        "register-scalable-target",
        "--service-namespace",
        "ecs",
        "--resource-id",
        RID,
        "--scalable-dimension",
        DIM,
        "--min-capacity",
        "0",
        "--max-capacity",
        "2",
    )
    out = cli.json(
        "application-autoscaling",
        "put-scaling-policy",
        "--service-namespace",
        "ecs",
        "--resource-id",
        RID,
        "--scalable-dimension",
        DIM,
        "--policy-name",
        "cpu",
        "--policy-type",
        "TargetTrackingScaling",
        "--target-tracking-scaling-policy-configuration",
        '{"TargetValue": 70.0, "PredefinedMetricSpecification": '
        '{"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}}',
    )
    assert len(out["Alarms"]) == 2
    got = cli.json(
        "application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs"
    )
    assert got["ScalingPolicies"][0]["PolicyARN"] == out["PolicyARN"]
    bad = cli.run(
        "application-autoscaling",
        "describe-scalable-targets",
        "--service-namespace",
        "ecs",
        "--max-results",
        "51",
        check=False,
    )
    assert bad.returncode != 0 and "ValidationException" in bad.stderr
