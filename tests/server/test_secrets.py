"""SSM Parameter Store and Secrets Manager through boto3 and the aws CLI, and the
promise that secret values never sit in the database file as plaintext."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import client_for


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


def test_parameters_versions_types_and_decryption(client, aws):
    ssm = client("ssm")
    assert ssm.put_parameter(Name="/app/db/url", Value="postgres://x", Type="String")[
        "Version"] == 1
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/app/db/url", Value="again", Type="String")
    assert _code(err) == "ParameterAlreadyExists"
    assert ssm.put_parameter(Name="/app/db/url", Value="postgres://y", Overwrite=True)[
        "Version"] == 2
    got = ssm.get_parameter(Name="/app/db/url")["Parameter"]
    assert (got["Value"], got["Version"], got["Type"]) == ("postgres://y", 2, "String")
    assert got["ARN"] == "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url"
    assert ssm.get_parameter(Name="/app/db/url:1")["Parameter"]["Value"] == "postgres://x"

    ssm.put_parameter(Name="/app/db/password", Value="hunter2", Type="SecureString")
    hidden = ssm.get_parameter(Name="/app/db/password")["Parameter"]["Value"]
    assert hidden != "hunter2"
    shown = aws.json("ssm", "get-parameter", "--name", "/app/db/password", "--with-decryption")
    assert shown["Parameter"]["Value"] == "hunter2"

    ssm.put_parameter(Name="/app/flags", Value="a,b", Type="StringList")
    ssm.put_parameter(Name="/app/deep/x/y", Value="1", Type="String")
    names = [p["Name"] for p in ssm.get_parameters_by_path(Path="/app")["Parameters"]]
    assert names == ["/app/flags"]
    pages = ssm.get_paginator("get_parameters_by_path").paginate(
        Path="/app", Recursive=True, WithDecryption=True, PaginationConfig={"PageSize": 2})
    everything = {p["Name"]: p["Value"] for page in pages for p in page["Parameters"]}
    assert everything == {"/app/db/password": "hunter2", "/app/db/url": "postgres://y",
                          "/app/deep/x/y": "1", "/app/flags": "a,b"}
    out = ssm.get_parameters(Names=["/app/flags", "/nope"])
    assert [p["Name"] for p in out["Parameters"]] == ["/app/flags"]
    assert out["InvalidParameters"] == ["/nope"]
    described = ssm.describe_parameters(ParameterFilters=[
        {"Key": "Type", "Values": ["SecureString"]}])["Parameters"]
    assert [(d["Name"], d["KeyId"]) for d in described] == [("/app/db/password", "alias/aws/ssm")]
    assert ssm.delete_parameters(Names=["/app/flags", "/nope"])["InvalidParameters"] == ["/nope"]
    ssm.delete_parameter(Name="/app/db/url")
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="/app/db/url")
    assert _code(err) == "ParameterNotFound"


def test_parameter_name_rules(client):
    ssm = client("ssm")
    for bad, code in (("aws-reserved", "ValidationException"),
                      ("no/leading/slash", "ValidationException"),
                      ("/" + "/".join("abcdefghijklmnop"), "HierarchyLevelLimitExceededException")):
        with pytest.raises(ClientError) as err:
            ssm.put_parameter(Name=bad, Value="v", Type="String")
        assert _code(err) == code, bad


def test_secret_versions_stages_and_lookup_forms(client, aws):
    sm = client("secretsmanager")
    made = sm.create_secret(Name="prod/db", SecretString=json.dumps({"user": "u", "pw": "p1"}))
    arn = made["ARN"]
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-")
    assert len(arn.rsplit("-", 1)[1]) == 6
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="prod/db", SecretString="x")
    assert _code(err) == "ResourceExistsException"
    second = sm.put_secret_value(SecretId="prod/db", SecretString=json.dumps({"pw": "p2"}))
    assert second["VersionStages"] == ["AWSCURRENT"]
    partial_arn = arn.rsplit("-", 1)[0]
    for ref in ("prod/db", arn, partial_arn):
        assert json.loads(sm.get_secret_value(SecretId=ref)["SecretString"]) == {"pw": "p2"}
    previous = sm.get_secret_value(SecretId="prod/db", VersionStage="AWSPREVIOUS")
    assert json.loads(previous["SecretString"])["pw"] == "p1"
    stages = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
    assert sorted(map(tuple, stages.values())) == [("AWSCURRENT",), ("AWSPREVIOUS",)]
    cli = aws.json("secretsmanager", "get-secret-value", "--secret-id", "prod/db")
    assert json.loads(cli["SecretString"]) == {"pw": "p2"}
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId="nope")
    assert err.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Secrets Manager can't find the specified secret."}


def test_delete_with_recovery_window_restore_and_force(client):
    sm = client("secretsmanager")
    sm.create_secret(Name="temp", SecretString="v")
    deleted = sm.delete_secret(SecretId="temp", RecoveryWindowInDays=7)
    assert deleted["DeletionDate"].timestamp() > time.time() + 6 * 86400
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId="temp")
    assert _code(err) == "InvalidRequestException"
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == []
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == [
        "temp"]
    sm.restore_secret(SecretId="temp")
    assert sm.get_secret_value(SecretId="temp")["SecretString"] == "v"
    sm.delete_secret(SecretId="temp", ForceDeleteWithoutRecovery=True)
    with pytest.raises(ClientError) as err:
        sm.describe_secret(SecretId="temp")
    assert _code(err) == "ResourceNotFoundException"
    sm.create_secret(Name="temp", SecretString="again")  # the name is free again


def test_values_are_never_plaintext_on_disk(ecsd_factory, tmp_path):
    server = ecsd_factory()
    client_for(server, "ssm").put_parameter(Name="/k", Value="plain-ssm-needle",
                                            Type="SecureString")
    client_for(server, "ssm").put_parameter(Name="/s", Value="string-needle", Type="String")
    client_for(server, "secretsmanager").create_secret(Name="k", SecretString="asm-needle")
    server.stop()
    for f in server.data_dir.iterdir():
        if f.name.startswith("ecsd.db"):
            data = f.read_bytes()
            for needle in (b"plain-ssm-needle", b"asm-needle", b"string-needle"):
                assert needle not in data, (f.name, needle)
    assert oct((server.data_dir / "master.key").stat().st_mode & 0o777) == "0o600"
    assert "needle" not in server.log()
