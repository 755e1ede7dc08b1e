"""STS through boto3 and the aws CLI against a real `ecsd serve`: AssumeRole hands out
keys whose GetCallerIdentity names the assumed role; a missing role is refused as STS
refuses it, and nothing is recorded."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import REGION, aws_error

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


def test_assume_role_names_the_role_in_get_caller_identity(ecsd, client) -> None:
    iam, sts = client("iam"), client("sts")
    role = iam.create_role(RoleName="deployer", Path="/ci/", AssumeRolePolicyDocument=TRUST)["Role"]
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    got = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="build-42", DurationSeconds=900)
    creds, user = got["Credentials"], got["AssumedRoleUser"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert user == {
        "AssumedRoleId": f"{role['RoleId']}:build-42",
        "Arn": "arn:aws:sts::000000000000:assumed-role/deployer/build-42",
    }
    as_role = boto3.client(
        "sts",
        endpoint_url=ecsd.url,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )
    me = as_role.get_caller_identity()
    assert me["Arn"] == user["Arn"] and me["UserId"] == user["AssumedRoleId"]
    assert me["Account"] == "000000000000"
    # The role's own session can assume another role; the refusal names it.
    with pytest.raises(ClientError) as err:
        as_role.assume_role(RoleArn="arn:aws:iam::000000000000:role/nope", RoleSessionName="again")
    assert aws_error(err) == (
        "AccessDenied",
        f"User: {user['Arn']} is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::000000000000:role/nope",
    )


def test_assume_role_refusals(client, aws) -> None:
    iam, sts = client("iam"), client("sts")
    role = iam.create_role(RoleName="short", AssumeRolePolicyDocument=TRUST)["Role"]
    with pytest.raises(ClientError) as err:
        # The role's path is part of its ARN: the same name under another path is no role.
        sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/x/short", RoleSessionName="s1")
    assert aws_error(err)[0] == "AccessDenied"
    with pytest.raises(ClientError) as err:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7200)
    assert aws_error(err) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    # The aws CLI: the same call, and the keys it prints.
    out = aws.json("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli")
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/short/cli"


def test_under_auth_assume_roles_keys_sign_requests_until_they_expire(ecsd_factory, tmp_path):
    server = ecsd_factory(
        "--auth", "--access-key", "AKIDADMIN:admin-secret",
        "--docker-host", f"unix://{tmp_path}/no-engine.sock",
    )  # fmt: skip

    def signed(service: str, key: str, secret: str, token: str | None = None):
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1}),
        )

    iam = signed("iam", "AKIDADMIN", "admin-secret")
    arn = iam.create_role(RoleName="ci", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    creds = signed("sts", "AKIDADMIN", "admin-secret").assume_role(
        RoleArn=arn, RoleSessionName="job"
    )["Credentials"]
    as_role = signed("sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert as_role.get_caller_identity()["Arn"].endswith(":assumed-role/ci/job")
    ecs = signed("ecs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert ecs.list_clusters()["clusterArns"] == []
    forged = signed("sts", creds["AccessKeyId"], "not-the-secret", creds["SessionToken"])
    with pytest.raises(ClientError) as err:
        forged.get_caller_identity()
    assert aws_error(err)[0] == "SignatureDoesNotMatch"
