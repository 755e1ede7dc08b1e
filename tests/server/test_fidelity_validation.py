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
    assert message.startswith("2 validation errors detected: ")
    assert "Value '11' at 'maxResults'" in message
    assert "at 'parameterFilters.1.member.key'" in message


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
