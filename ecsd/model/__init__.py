"""The domain: records, repositories and state transitions, one folder per AWS service.

API handlers (services/) and controllers both call these functions with a unit of work
(core.unit.Unit); neither reaches into the other. One service reads another's data only
through the other's named functions here (ECS's secret resolution reads SSM parameters
and Secrets Manager secrets through `model.ssm.values` and `model.secretsmanager.values`).
A function here may refuse with `AwsError`: the refusal is the domain's, its wording AWS's.
"""
