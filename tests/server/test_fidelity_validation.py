"""Validation messages as AWS's front end words them (issue #12, item 1), through boto3 and
the aws CLI against the server: the value printed for numbers and lists, member names
with the first letter lowered, every problem reported, sensitive values never quoted."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import AwsCli, aws_error, client_for


@pytest.fixture
def ssm(no_engine):
    no_engine.reset()
    return client_for(no_engine, "ssm")


def test_a_number_past_its_maximum_prints_its_value(ssm, no_engine):
    with pytest.raises(ClientError) as err:
        ssm.describe_parameters(MaxResults=51)
    assert aws_error(err) == (
        "ValidationException",
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 50",
    )
    proc = AwsCli(no_engine).run("ssm", "describe-parameters", "--max-results", "51", check=False)
    assert proc.returncode != 0
    assert "Value '51' at 'maxResults' failed to satisfy constraint" in proc.stderr


def test_a_list_prints_as_aws_prints_it_and_every_problem_is_told(ssm):
    names = [f"n{i}" for i in range(11)]
    with pytest.raises(ClientError) as err:
        ssm.get_parameters(Names=names)
    assert aws_error(err)[1] == (
        "1 validation error detected: Value '[" + ", ".join(names) + "]' at 'names' failed "
        "to satisfy constraint: Member must have length less than or equal to 10"
    )
    with pytest.raises(ClientError) as err:
        ssm.get_parameters_by_path(Path="/", MaxResults=11, ParameterFilters=[{"Key": "x" * 133}])
    message = aws_error(err)[1]
    # Too long, and outside the key pattern Parameter Store's front end enforces.
    assert message.startswith("3 validation errors detected: ")
    assert "Value '11' at 'maxResults'" in message
    key = "Value '" + "x" * 133 + "' at 'parameterFilters.1.member.key' failed to satisfy "
    assert key + "constraint: Member must have length less than or equal to 132" in message
    assert (
        key + "constraint: Member must satisfy regular expression pattern: "
        "^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$"
    ) in message


def test_a_sensitive_value_is_never_quoted(no_engine):
    no_engine.reset()
    sm = client_for(no_engine, "secretsmanager")
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="big", SecretString="s3cr3t" + "x" * 70000)
    assert aws_error(err) == (
        "ValidationException",
        "1 validation error detected: Value at 'secretString' failed to satisfy constraint: "
        "Member must have length less than or equal to 65536",
    )


def test_logs_and_parameter_store_enforce_the_models_patterns_at_any_depth(ssm, no_engine):
    """Their front ends refuse a string outside its model pattern, nested ones too, and
    tell every problem together; nothing is written."""
    proc = AwsCli(no_engine).run(
        "ssm",
        "put-parameter",
        "--name",
        "/p/key",
        "--value",
        "v",
        "--type",
        "SecureString",
        "--key-id",
        "alias/my key",
        check=False,
    )
    assert proc.returncode != 0
    assert (
        "ValidationException) when calling the PutParameter operation: 1 validation error "
        "detected: Value 'alias/my key' at 'keyId' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: ^([a-zA-Z0-9:/_-]+)$"
    ) in proc.stderr
    assert ssm.describe_parameters()["Parameters"] == []

    logs = client_for(no_engine, "logs")
    logs.create_log_group(logGroupName="/p")
    with pytest.raises(ClientError) as err:
        logs.put_metric_filter(
            logGroupName="/p",
            filterName="f:1",
            filterPattern="ERROR",
            metricTransformations=[
                {"metricName": "errors*", "metricNamespace": "app", "metricValue": "1"}
            ],
        )
    assert aws_error(err) == (
        "InvalidParameterException",
        "2 validation errors detected: Value 'f:1' at 'filterName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [^:*]*; Value 'errors*' "
        "at 'metricTransformations.1.member.metricName' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: [^:*$]*",
    )
    assert logs.describe_metric_filters(logGroupName="/p")["metricFilters"] == []
    # Java's \w is ASCII: a log group identifier with a non-ASCII letter is refused.
    with pytest.raises(ClientError) as err:
        logs.describe_log_streams(logGroupIdentifier="/grüße")
    assert (
        "at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy "
        in (aws_error(err)[1])
    )
