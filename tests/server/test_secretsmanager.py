"""Secrets Manager through boto3 and the aws CLI against a real `ecsd serve`, and the
promise that no secret value sits in the database, the WAL or the log as plaintext."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error, client_for

ACCOUNT = "000000000000"
NOT_FOUND = ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
MARKED = (
    "InvalidRequestException",
    ("You can't perform this operation on the secret because it was marked for deletion."),
)


@pytest.fixture
def sm(client):
    return client("secretsmanager")


def test_create_gives_a_suffixed_arn_and_the_token_as_version(sm):
    token = str(uuid.uuid4())
    made = sm.create_secret(
        Name="prod/db",
        SecretString="s3cret",
        ClientRequestToken=token,
        Description="the db",
        Tags=[{"Key": "team", "Value": "web"}],
    )
    prefix = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-"
    assert made["ARN"].startswith(prefix) and len(made["ARN"]) == len(prefix) + 6
    assert made["ARN"][len(prefix) :].isalnum()
    assert (made["Name"], made["VersionId"]) == ("prod/db", token)
    got = sm.get_secret_value(SecretId="prod/db")
    assert (got["SecretString"], got["VersionId"], got["VersionStages"]) == (
        "s3cret",
        token,
        ["AWSCURRENT"],
    )
    described = sm.describe_secret(SecretId=made["ARN"])
    assert (described["Name"], described["Description"]) == ("prod/db", "the db")
    assert described["Tags"] == [{"Key": "team", "Value": "web"}]
    assert described["VersionIdsToStages"] == {token: ["AWSCURRENT"]}
    assert "DeletedDate" not in described and "KmsKeyId" not in described
    assert described["CreatedDate"].timestamp() == pytest.approx(time.time(), abs=60)


def test_a_secret_without_a_value_has_no_current_version(sm):
    made = sm.create_secret(Name="empty")
    assert "VersionId" not in made
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId="empty")
    assert aws_error(err) == (
        "ResourceNotFoundException",
        ("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"),
    )


def test_create_refusals(sm):
    sm.create_secret(Name="dup", SecretString="a")
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="dup", SecretString="b")
    assert aws_error(err) == (
        "ResourceExistsException",
        "The operation failed because the secret dup already exists.",
    )
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="bad name!", SecretString="x")
    assert aws_error(err) == (
        "ValidationException",
        (
            "Invalid name. Must be a valid name "
            "containing alphanumeric characters, or any of the following: "
            "-/_+=.@!"
        ),
    )
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="both", SecretString="x", SecretBinary=b"y")
    assert aws_error(err) == (
        "InvalidParameterException",
        (
            "You can't specify both a binary "
            "secret value and a string secret value in the same secret."
        ),
    )
    with pytest.raises(ClientError) as err:
        sm.describe_secret(SecretId="both")
    assert aws_error(err) == NOT_FOUND


def test_a_retried_create_answers_the_same(sm):
    token = str(uuid.uuid4())
    first = sm.create_secret(Name="retry", SecretString="v", ClientRequestToken=token)
    again = sm.create_secret(Name="retry", SecretString="v", ClientRequestToken=token)
    assert (again["ARN"], again["VersionId"]) == (first["ARN"], token)


def test_new_values_move_the_staging_labels(sm):
    arn = sm.create_secret(Name="rot", SecretString="v1")["ARN"]
    v1 = sm.get_secret_value(SecretId=arn)["VersionId"]
    v2 = sm.put_secret_value(SecretId="rot", SecretString="v2")
    assert v2["VersionStages"] == ["AWSCURRENT"] and v2["ARN"] == arn
    previous = sm.get_secret_value(SecretId="rot", VersionStage="AWSPREVIOUS")
    assert (previous["SecretString"], previous["VersionId"]) == ("v1", v1)
    v3 = sm.update_secret(SecretId="rot", SecretString="v3")["VersionId"]
    stages = sm.describe_secret(SecretId="rot")["VersionIdsToStages"]
    # The oldest lost its last label: deprecated, so no longer listed.
    assert stages == {v3: ["AWSCURRENT"], v2["VersionId"]: ["AWSPREVIOUS"]}
    listed = sm.list_secret_version_ids(SecretId="rot")["Versions"]
    assert sorted(v["VersionId"] for v in listed) == sorted([v2["VersionId"], v3])
    with_old = sm.list_secret_version_ids(SecretId="rot", IncludeDeprecated=True)["Versions"]
    assert {v["VersionId"]: v["VersionStages"] for v in with_old}[v1] == []
    assert sm.get_secret_value(SecretId="rot", VersionId=v1)["SecretString"] == "v1"
    # A custom label goes only where it is given and leaves AWSCURRENT alone.
    staged = sm.put_secret_value(SecretId="rot", SecretString="v4", VersionStages=["NEXT"])
    assert staged["VersionStages"] == ["NEXT"]
    assert sm.get_secret_value(SecretId="rot")["SecretString"] == "v3"
    assert sm.get_secret_value(SecretId="rot", VersionStage="NEXT")["SecretString"] == "v4"
    assert sm.get_secret_value(SecretId="rot", VersionStage="AWSPREVIOUS")["SecretString"] == "v2"


def test_version_lookups_and_their_errors(sm):
    sm.create_secret(Name="vl", SecretString="a")
    current = sm.get_secret_value(SecretId="vl")["VersionId"]
    missing = str(uuid.uuid4())
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId="vl", VersionId=missing)
    assert aws_error(err) == (
        "ResourceNotFoundException",
        (f"Secrets Manager can't find the specified secret value for VersionId: {missing}"),
    )
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId="vl", VersionStage="AWSPENDING")
    assert aws_error(err) == (
        "ResourceNotFoundException",
        ("Secrets Manager can't find the specified secret value for staging label: AWSPENDING"),
    )
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId="vl", VersionId=current, VersionStage="AWSPREVIOUS")
    assert aws_error(err) == (
        "InvalidRequestException",
        ("You provided a VersionStage that is not associated to the provided VersionId."),
    )
    assert (
        sm.get_secret_value(SecretId="vl", VersionId=current, VersionStage="AWSCURRENT")[
            "SecretString"
        ]
        == "a"
    )


def test_a_token_names_one_value(sm):
    sm.create_secret(Name="tok", SecretString="a")
    token = str(uuid.uuid4())
    first = sm.put_secret_value(SecretId="tok", SecretString="b", ClientRequestToken=token)
    again = sm.put_secret_value(SecretId="tok", SecretString="b", ClientRequestToken=token)
    assert first["VersionId"] == again["VersionId"] == token
    assert len(sm.list_secret_version_ids(SecretId="tok", IncludeDeprecated=True)["Versions"]) == 2
    with pytest.raises(ClientError) as err:
        sm.put_secret_value(SecretId="tok", SecretString="c", ClientRequestToken=token)
    arn = sm.describe_secret(SecretId="tok")["ARN"]
    assert aws_error(err) == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token} because that value is already in use "
        f"for a version of secret {arn}",
    )


def test_every_way_to_name_a_secret(sm, aws):
    arn = sm.create_secret(Name="app/creds", SecretString=json.dumps({"u": "x"}))["ARN"]
    partial = arn[:-7]
    for ref in ("app/creds", arn, partial):
        assert sm.get_secret_value(SecretId=ref)["ARN"] == arn
    for ref in (
        "app/cred",
        arn[:-1] + ("A" if arn[-1] != "A" else "B"),
        f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:app/creds",
    ):
        with pytest.raises(ClientError) as err:
            sm.get_secret_value(SecretId=ref)
        assert aws_error(err) == NOT_FOUND, ref
    cli = aws.json("secretsmanager", "get-secret-value", "--secret-id", partial)
    assert json.loads(cli["SecretString"]) == {"u": "x"}


def test_binary_secrets(sm):
    blob = bytes(range(256))
    sm.create_secret(Name="bin", SecretBinary=blob)
    got = sm.get_secret_value(SecretId="bin")
    assert got["SecretBinary"] == blob and "SecretString" not in got


def test_aws_cli_create_and_read(aws):
    made = aws.json(
        "secretsmanager",
        "create-secret",
        "--name",
        "cli/secret",
        "--secret-string",
        '{"password":"pw"}',
        "--description",
        "from the cli",
    )
    assert made["Name"] == "cli/secret" and len(made["VersionId"]) == 36
    got = aws.json("secretsmanager", "get-secret-value", "--secret-id", "cli/secret")
    assert json.loads(got["SecretString"]) == {"password": "pw"}
    assert got["VersionStages"] == ["AWSCURRENT"]
    missing = aws.run("secretsmanager", "get-secret-value", "--secret-id", "nope", check=False)
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr
    assert "Secrets Manager can't find the specified secret." in missing.stderr


def test_update_secret_changes_metadata(sm):
    sm.create_secret(Name="up", SecretString="a", Description="old")
    before = sm.describe_secret(SecretId="up")["LastChangedDate"]
    time.sleep(0.01)
    out = sm.update_secret(SecretId="up", Description="new", KmsKeyId="alias/mine")
    assert "VersionId" not in out
    after = sm.describe_secret(SecretId="up")
    assert (after["Description"], after["KmsKeyId"]) == ("new", "alias/mine")
    assert after["LastChangedDate"] > before
    assert sm.get_secret_value(SecretId="up")["SecretString"] == "a"


def test_delete_schedules_restore_undoes_force_removes(sm):
    sm.create_secret(Name="temp", SecretString="v")
    deleted = sm.delete_secret(SecretId="temp", RecoveryWindowInDays=7)
    assert deleted["DeletionDate"].timestamp() == pytest.approx(time.time() + 7 * 86400, abs=60)
    for read in (
        lambda: sm.get_secret_value(SecretId="temp"),
        lambda: sm.put_secret_value(SecretId="temp", SecretString="w"),
        lambda: sm.delete_secret(SecretId="temp"),
    ):
        with pytest.raises(ClientError) as err:
            read()
        assert aws_error(err) == MARKED
    assert "DeletedDate" in sm.describe_secret(SecretId="temp")
    assert sm.list_secrets()["SecretList"] == []
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == [
        "temp"
    ]
    with pytest.raises(ClientError) as err:
        sm.create_secret(Name="temp", SecretString="again")
    assert aws_error(err) == (
        "InvalidRequestException",
        (
            "You can't create this secret because "
            "a secret with this name is already scheduled for deletion."
        ),
    )
    sm.restore_secret(SecretId="temp")
    assert sm.get_secret_value(SecretId="temp")["SecretString"] == "v"
    default = sm.delete_secret(SecretId="temp")
    assert default["DeletionDate"].timestamp() == pytest.approx(time.time() + 30 * 86400, abs=60)
    # A scheduled secret can still be removed at once.
    gone = sm.delete_secret(SecretId="temp", ForceDeleteWithoutRecovery=True)
    assert gone["DeletionDate"].timestamp() == pytest.approx(time.time(), abs=60)
    with pytest.raises(ClientError) as err:
        sm.describe_secret(SecretId="temp")
    assert aws_error(err) == NOT_FOUND
    assert sm.create_secret(Name="temp", SecretString="again")["Name"] == "temp"


def test_delete_argument_rules(sm):
    sm.create_secret(Name="d", SecretString="v")
    with pytest.raises(ClientError) as err:
        sm.delete_secret(SecretId="d", RecoveryWindowInDays=6)
    assert aws_error(err) == (
        "InvalidParameterException",
        ("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."),
    )
    with pytest.raises(ClientError) as err:
        sm.delete_secret(SecretId="d", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True)
    assert aws_error(err) == (
        "InvalidParameterException",
        ("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."),
    )
    # A forced delete of a secret that does not exist succeeds, as on AWS.
    gone = sm.delete_secret(SecretId="nope", ForceDeleteWithoutRecovery=True)
    assert gone["Name"] == "nope" and ":secret:nope-" in gone["ARN"]
    with pytest.raises(ClientError) as err:
        sm.delete_secret(SecretId="nope")
    assert aws_error(err) == NOT_FOUND


def test_list_secrets_sorts_filters_and_pages(sm):
    for name, description, tags in (
        ("b-app", "Database login", [("team", "web")]),
        ("a-app", "api key", [("team", "api")]),
        ("c-other", None, []),
    ):
        kw = {"Description": description} if description else {}
        sm.create_secret(
            Name=name, SecretString="v", Tags=[{"Key": k, "Value": v} for k, v in tags], **kw
        )
        time.sleep(0.01)
    pages = list(sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["SecretList"]) for p in pages] == [2, 1]
    in_order = [s["Name"] for p in pages for s in p["SecretList"]]
    assert in_order == ["b-app", "a-app", "c-other"]  # by creation

    def names(**kw):
        return [s["Name"] for s in sm.list_secrets(**kw)["SecretList"]]

    assert names(SortBy="name") == ["a-app", "b-app", "c-other"]
    assert names(SortBy="name", SortOrder="desc") == ["c-other", "b-app", "a-app"]
    assert names(Filters=[{"Key": "name", "Values": ["a-", "b-"]}], SortBy="name") == [
        "a-app",
        "b-app",
    ]
    assert names(Filters=[{"Key": "name", "Values": ["A-"]}]) == []  # case-sensitive
    assert names(Filters=[{"Key": "name", "Values": ["!c"]}], SortBy="name") == ["a-app", "b-app"]
    assert names(
        Filters=[{"Key": "tag-key", "Values": ["team"]}, {"Key": "tag-value", "Values": ["api"]}]
    ) == ["a-app"]
    assert names(Filters=[{"Key": "description", "Values": ["login"]}]) == ["b-app"]
    assert names(Filters=[{"Key": "all", "Values": ["API"]}]) == ["a-app"]
    entry = sm.list_secrets(Filters=[{"Key": "name", "Values": ["a-app"]}])["SecretList"][0]
    assert list(entry["SecretVersionsToStages"].values()) == [["AWSCURRENT"]]
    assert entry["Description"] == "api key"


def test_tags_and_resource_policy(sm):
    arn = sm.create_secret(Name="tagged", SecretString="v", Tags=[{"Key": "a", "Value": "1"}])[
        "ARN"
    ]
    sm.tag_resource(SecretId=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags = sm.describe_secret(SecretId="tagged")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "3"), ("b", "2")]
    sm.untag_resource(SecretId="tagged", TagKeys=["a"])
    assert sm.describe_secret(SecretId="tagged")["Tags"] == [{"Key": "b", "Value": "2"}]
    policy = sm.get_resource_policy(SecretId="tagged")
    assert policy["ARN"] == arn and "ResourcePolicy" not in policy


def test_update_secret_version_stage(sm):
    sm.create_secret(Name="stage", SecretString="a")
    first = sm.get_secret_value(SecretId="stage")["VersionId"]
    second = sm.put_secret_value(SecretId="stage", SecretString="b", VersionStages=["AWSPENDING"])[
        "VersionId"
    ]
    with pytest.raises(ClientError) as err:
        sm.update_secret_version_stage(
            SecretId="stage", VersionStage="AWSCURRENT", MoveToVersionId=second
        )
    assert aws_error(err) == (
        "InvalidParameterException",
        (
            "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is "
            f"currently attached to version {first}, so you must explicitly reference that "
            "version in RemoveFromVersionId."
        ),
    )
    sm.update_secret_version_stage(
        SecretId="stage",
        VersionStage="AWSCURRENT",
        MoveToVersionId=second,
        RemoveFromVersionId=first,
    )
    assert sm.get_secret_value(SecretId="stage")["SecretString"] == "b"
    stages = sm.describe_secret(SecretId="stage")["VersionIdsToStages"]
    assert stages == {first: ["AWSPREVIOUS"], second: ["AWSPENDING", "AWSCURRENT"]}


def _db_bytes(data_dir: Path) -> bytes:
    return b"".join(f.read_bytes() for f in data_dir.iterdir() if f.name.startswith("ecsd.db"))


NEEDLES = {
    "ssm-secure": "needle-ssm-secure-7f3a",
    "ssm-string": "needle-ssm-string-91bc",
    "asm-string": "needle-asm-string-c0de",
    "asm-binary": "needle-asm-binary-b1n4",
    "asm-update": "needle-asm-update-0042",
}


def test_values_are_sealed_at_rest_and_never_logged(ecsd_factory):
    server = ecsd_factory()
    ssm, sm = client_for(server, "ssm"), client_for(server, "secretsmanager")
    ssm.put_parameter(Name="/k", Value=NEEDLES["ssm-secure"], Type="SecureString")
    ssm.put_parameter(Name="/s", Value=NEEDLES["ssm-string"], Type="String")
    sm.create_secret(Name="k", SecretString=NEEDLES["asm-string"])
    sm.create_secret(Name="b", SecretBinary=NEEDLES["asm-binary"].encode())
    sm.update_secret(SecretId="k", SecretString=NEEDLES["asm-update"])
    # Refusals must not echo what they refused.
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(
            Name="/p", Value=NEEDLES["ssm-secure"], Type="String", AllowedPattern="^x$"
        )
    assert NEEDLES["ssm-secure"] not in str(err.value)
    token = sm.get_secret_value(SecretId="k")["VersionId"]
    with pytest.raises(ClientError) as err:
        sm.put_secret_value(
            SecretId="k", SecretString=NEEDLES["asm-string"], ClientRequestToken=token
        )
    assert NEEDLES["asm-string"] not in str(err.value)
    assert sm.get_secret_value(SecretId="k")["SecretString"] == NEEDLES["asm-update"]

    # While running (the values sit in the WAL) and after a clean stop (checkpointed).
    for moment in ("running", "stopped"):
        if moment == "stopped":
            server.stop()
        raw = _db_bytes(server.data_dir)
        assert len(raw) > 0
        for needle in NEEDLES.values():
            assert needle.encode() not in raw, (moment, needle)
    # And through SQLite itself, in case a value were stored in some encoding.
    with sqlite3.connect(server.data_dir / "ecsd.db") as db:
        dump = "\n".join(db.iterdump())
    for needle in NEEDLES.values():
        assert needle not in dump
    key = server.data_dir / "master.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert "needle" not in server.log()


def test_sealed_values_survive_a_restart(ecsd_factory):
    server = ecsd_factory()
    client_for(server, "ssm").put_parameter(Name="/keep", Value="kept", Type="SecureString")
    server.kill9()
    again = ecsd_factory(data_dir=server.data_dir)
    assert (
        client_for(again, "ssm").get_parameter(Name="/keep", WithDecryption=True)["Parameter"][
            "Value"
        ]
        == "kept"
    )


def _seal_in_child(data_dir: str, queue: multiprocessing.Queue[tuple[str, bytes]]) -> None:
    from ecsd.store import sealing

    token = sealing.seal(
        Path(data_dir), b"from-" + str(multiprocessing.current_process().pid).encode(), "race"
    )
    queue.put((str(multiprocessing.current_process().pid), token))


def test_first_use_of_the_key_is_safe_when_racing(tmp_path):
    """Processes that seal at the same moment on a new data dir end with one key that
    opens every value any of them sealed."""
    from ecsd.store import sealing

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_seal_in_child, args=(str(tmp_path), queue)) for _ in range(6)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    for pid, token in results:
        assert sealing.unseal(tmp_path, token, "race") == f"from-{pid}".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]  # no temporary left
    with pytest.raises(sealing.SealError):
        sealing.unseal(tmp_path, results[0][1], "another-place")
