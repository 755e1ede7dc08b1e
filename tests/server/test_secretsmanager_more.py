"""Secrets Manager fidelity (issue #12, item 5) through boto3 and the aws CLI against a
real `ecsd serve`: GetRandomPassword, BatchGetSecretValue, RotateSecret /
CancelRotateSecret, the first PutSecretValue on a value-less secret, token reuse."""

from __future__ import annotations

import string
import uuid

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@pytest.fixture
def sm(client):
    return client("secretsmanager")


def test_get_random_password_options(sm, aws):
    plain = sm.get_random_password()["RandomPassword"]
    assert len(plain) == 32
    assert {c for c in plain} & set(string.ascii_lowercase)
    assert {c for c in plain} & set(string.ascii_uppercase)
    assert {c for c in plain} & set(string.digits)
    assert {c for c in plain} & set(PUNCTUATION)
    digits = sm.get_random_password(
        PasswordLength=50, ExcludeLowercase=True, ExcludeUppercase=True, ExcludePunctuation=True
    )["RandomPassword"]
    assert len(digits) == 50 and set(digits) <= set(string.digits)
    spaced = sm.get_random_password(
        PasswordLength=8,
        ExcludeCharacters="abcdefghijklmnopqrstuvwxyz0123456789",
        ExcludePunctuation=True,
        IncludeSpace=True,
    )["RandomPassword"]
    assert " " in spaced and set(spaced) <= set(string.ascii_uppercase + " ")
    loose = sm.get_random_password(
        PasswordLength=4, RequireEachIncludedType=False, ExcludeNumbers=True
    )["RandomPassword"]
    assert len(loose) == 4 and not set(loose) & set(string.digits)
    with pytest.raises(ClientError) as err:
        sm.get_random_password(PasswordLength=3)
    assert aws_error(err) == (
        "InvalidParameterException",
        "Password length is too short based on the required types.",
    )
    with pytest.raises(ClientError) as err:
        sm.get_random_password(PasswordLength=4097)
    assert aws_error(err)[0] == "ValidationException"
    assert "'4097'" in aws_error(err)[1]
    with pytest.raises(ClientError) as err:
        sm.get_random_password(
            ExcludeLowercase=True,
            ExcludeUppercase=True,
            ExcludeNumbers=True,
            ExcludePunctuation=True,
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    cli = aws.json("secretsmanager", "get-random-password", "--password-length", "12")
    assert len(cli["RandomPassword"]) == 12


def test_batch_get_secret_value_by_ids_and_filters(sm, aws):
    a = sm.create_secret(Name="batch/a", SecretString="va", Tags=[{"Key": "b", "Value": "1"}])
    b = sm.create_secret(Name="batch/b", SecretString="vb", Tags=[{"Key": "b", "Value": "1"}])
    sm.create_secret(Name="batch/empty", Tags=[{"Key": "b", "Value": "1"}])
    sm.create_secret(Name="batch/gone", SecretString="g")
    sm.delete_secret(SecretId="batch/gone")
    out = sm.batch_get_secret_value(
        SecretIdList=[a["ARN"], "batch/b", "batch/nope", "batch/gone", "batch/empty"]
    )
    assert [(v["Name"], v["SecretString"]) for v in out["SecretValues"]] == [
        ("batch/a", "va"),
        ("batch/b", "vb"),
    ]
    assert out["SecretValues"][1]["VersionId"] == b["VersionId"]
    assert out["SecretValues"][1]["VersionStages"] == ["AWSCURRENT"]
    errors = {e["SecretId"]: (e["ErrorCode"], e["Message"]) for e in out["Errors"]}
    assert errors["batch/nope"] == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
    )
    assert errors["batch/gone"][0] == "InvalidRequestException"
    assert errors["batch/empty"][0] == "ResourceNotFoundException"
    pages, token = [], None
    while True:
        more = {"NextToken": token} if token else {}
        page = sm.batch_get_secret_value(
            Filters=[{"Key": "tag-key", "Values": ["b"]}], MaxResults=1, **more
        )
        pages.append(page)
        token = page.get("NextToken")
        if not token:
            break
    names = [v["Name"] for page in pages for v in page["SecretValues"]]
    assert names == ["batch/a", "batch/b"]
    assert len(pages) == 3
    with pytest.raises(ClientError) as err:
        sm.batch_get_secret_value(
            SecretIdList=["batch/a"], Filters=[{"Key": "name", "Values": ["batch"]}]
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    cli = aws.json("secretsmanager", "batch-get-secret-value", "--secret-id-list", "batch/a")
    assert cli["SecretValues"][0]["SecretString"] == "va"


def test_rotate_and_cancel_rotation(sm, aws):
    first = sm.create_secret(Name="rot/db", SecretString="pw")
    token = str(uuid.uuid4())
    out = sm.rotate_secret(
        SecretId="rot/db",
        ClientRequestToken=token,
        RotationLambdaARN="arn:aws:lambda:us-east-1:000000000000:function:rotate",
        RotationRules={"AutomaticallyAfterDays": 30, "Duration": "3h"},
    )
    assert out["VersionId"] == token
    described = sm.describe_secret(SecretId="rot/db")
    assert described["RotationEnabled"] is True
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 30, "Duration": "3h"}
    assert described["RotationLambdaARN"].endswith(":function:rotate")
    assert "LastRotatedDate" in described and "NextRotationDate" in described
    gap = described["NextRotationDate"] - described["LastRotatedDate"]
    assert gap.total_seconds() == 30 * 86400
    assert described["VersionIdsToStages"] == {
        first["VersionId"]: ["AWSPREVIOUS"],
        token: ["AWSCURRENT"],
    }
    # No rotation function runs here, so the value stays: the version moved.
    assert sm.get_secret_value(SecretId="rot/db")["SecretString"] == "pw"
    with pytest.raises(ClientError) as err:
        sm.rotate_secret(SecretId="rot/db", ClientRequestToken=token)
    assert aws_error(err)[0] == "ResourceExistsException"
    later = sm.rotate_secret(
        SecretId="rot/db",
        RotationRules={"ScheduleExpression": "rate(10 days)"},
        RotateImmediately=False,
    )
    assert "VersionId" not in later
    assert sm.describe_secret(SecretId="rot/db")["RotationRules"] == {
        "ScheduleExpression": "rate(10 days)"
    }
    for bad in (
        {"AutomaticallyAfterDays": 5, "ScheduleExpression": "rate(5 days)"},
        {"ScheduleExpression": "every day"},
        {"ScheduleExpression": "rate(1 hour)"},
        {"Duration": "30h"},
    ):
        with pytest.raises(ClientError) as err:
            sm.rotate_secret(SecretId="rot/db", RotationRules=bad, RotateImmediately=False)
        assert aws_error(err)[0] == "InvalidParameterException", bad
    with pytest.raises(ClientError) as err:
        sm.rotate_secret(
            SecretId="rot/db",
            RotationRules={"AutomaticallyAfterDays": 1001},
            RotateImmediately=False,
        )
    assert aws_error(err)[0] == "ValidationException"  # the shape's bound, checked first
    # A rotation left half done (AWSPENDING off AWSCURRENT) blocks another one.
    pending = sm.put_secret_value(
        SecretId="rot/db", SecretString="next", VersionStages=["AWSPENDING"]
    )
    with pytest.raises(ClientError) as err:
        sm.rotate_secret(SecretId="rot/db")
    assert aws_error(err) == (
        "InvalidRequestException",
        "A previous rotation isn't complete. That rotation will be reattempted.",
    )
    cancelled = aws.json("secretsmanager", "cancel-rotate-secret", "--secret-id", "rot/db")
    assert cancelled["VersionId"] == pending["VersionId"]
    after = sm.describe_secret(SecretId="rot/db")
    assert after["RotationEnabled"] is False and "NextRotationDate" not in after


def test_first_value_of_a_valueless_secret_is_current(sm):
    sm.create_secret(Name="novalue")
    put = sm.put_secret_value(SecretId="novalue", SecretString="x", VersionStages=["custom"])
    assert sorted(put["VersionStages"]) == ["AWSCURRENT", "custom"]
    assert sm.get_secret_value(SecretId="novalue")["SecretString"] == "x"


def test_create_secret_token_reuse(sm):
    token = str(uuid.uuid4())
    made = sm.create_secret(Name="tokreuse", SecretString="a", ClientRequestToken=token)
    again = sm.create_secret(Name="tokreuse", SecretString="a", ClientRequestToken=token)
    assert again["VersionId"] == token
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="tokreuse", SecretString="b", ClientRequestToken=token)
    assert aws_error(err) == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token} because that value is already in use "
        f"for a version of secret {made['ARN']}",
    )
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="tokreuse", SecretString="a")
    assert aws_error(err) == (
        "ResourceExistsException",
        "The operation failed because the secret tokreuse already exists.",
    )
