"""Every `valueFrom` form ECS accepts, and every way it fails, resolved against values the
daemon stored (through boto3 over HTTP) in a data dir that is then opened directly."""

from __future__ import annotations

import json
import uuid

import pytest
from conftest import client_for

from ecsd.config import Settings
from ecsd.core.unit import Unit
from ecsd.model.ecs.secrets import SecretResolutionError, resolve
from ecsd.services import all_providers
from ecsd.store import Store

REGION, ACCOUNT = "us-east-1", "000000000000"
SSM_ARN = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
ASM_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret"
PREFIX = "unable to pull secrets or registry auth: execution resource retrieval failed: "
SSM_FAILED = PREFIX + (
    "unable to retrieve secrets from ssm: service call has been retried 1 time(s): "
)
ASM_FAILED = PREFIX + (
    "unable to retrieve secret from asm: service call has been retried 1 time(s): "
)
CREDS = {
    "user": "u2",
    "n": 3,
    "big": 1000000,
    "ratio": 0.5,
    "on": True,
    "none": None,
    "nested": {"b": 1, "a": "x"},
    "list": [1, "two"],
}
# Every value stored below: no failure text may contain any of them.
VALUES = [
    "ssm-secure-v1",
    "ssm-secure-v2",
    "ssm-plain",
    "ssm-deep",
    "u1",
    "u2",
    "not-json-at-all",
    "doomed-value",
    "raw-string-value",
    "ssm-far",
    "asm-far",
]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from in_process import InProcessServer

    data = tmp_path_factory.mktemp("secrets") / "data"
    server = InProcessServer(data).start()
    try:
        ssm, sm = client_for(server, "ssm"), client_for(server, "secretsmanager")
        ssm.put_parameter(Name="/app/pw", Value="ssm-secure-v1", Type="SecureString")
        ssm.put_parameter(Name="/app/pw", Value="ssm-secure-v2", Overwrite=True)
        ssm.label_parameter_version(Name="/app/pw", ParameterVersion=1, Labels=["old"])
        ssm.put_parameter(Name="plain", Value="ssm-plain", Type="String")
        ssm.put_parameter(Name="/a/b/c/deep", Value="ssm-deep", Type="String")
        arn = sm.create_secret(Name="app/creds", SecretString=json.dumps({"user": "u1"}))["ARN"]
        old = sm.get_secret_value(SecretId=arn)["VersionId"]
        sm.put_secret_value(SecretId=arn, SecretString=json.dumps(CREDS))
        extra = {
            "raw": sm.create_secret(Name="raw", SecretString="raw-string-value")["ARN"],
            "notjson": sm.create_secret(Name="notjson", SecretString="not-json-at-all")["ARN"],
            "array": sm.create_secret(Name="array", SecretString="[1, 2]")["ARN"],
            "binary": sm.create_secret(Name="bin", SecretBinary=b"\x00\x01")["ARN"],
            "doomed": sm.create_secret(Name="doomed", SecretString="doomed-value")["ARN"],
            "empty": sm.create_secret(Name="empty")["ARN"],
        }
        sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
        client_for(server, "ssm", "eu-west-1").put_parameter(
            Name="/far", Value="ssm-far", Type="SecureString"
        )
        extra["far"] = client_for(server, "secretsmanager", "eu-west-1").create_secret(
            Name="far", SecretString=json.dumps({"k": "asm-far"})
        )["ARN"]
    finally:
        server.close()
    all_providers()  # registers every table before the store creates what is missing
    store = Store(data / "ecsd.db")
    yield store, Settings(data_dir=data), arn, old, extra
    store.close()


def _resolve(stored, value_from: str) -> str:
    store, settings, *_ = stored
    return store.read_sync(
        lambda conn: resolve(
            Unit(conn=conn, region=REGION, account=ACCOUNT, settings=settings), value_from
        )
    )


def _failure(stored, value_from: str) -> str:
    with pytest.raises(SecretResolutionError) as err:
        _resolve(stored, value_from)
    text = str(err.value)
    for value in VALUES:
        assert value not in text, (value_from, text)
    return text


def test_ssm_names_and_arns(stored):
    assert _resolve(stored, "/app/pw") == "ssm-secure-v2"  # SecureString comes decrypted
    assert _resolve(stored, "plain") == "ssm-plain"
    assert _resolve(stored, "/a/b/c/deep") == "ssm-deep"
    assert _resolve(stored, f"{SSM_ARN}/app/pw") == "ssm-secure-v2"
    assert _resolve(stored, f"{SSM_ARN}/plain") == "ssm-plain"
    assert _resolve(stored, f"{SSM_ARN}/a/b/c/deep") == "ssm-deep"


def test_an_arn_reads_from_its_own_region(stored):
    assert _resolve(stored, f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/far") == "ssm-far"
    assert _resolve(stored, f"{stored[4]['far']}:k::") == "asm-far"
    assert "invalid ssm parameters: /far" in _failure(stored, "/far")  # a name: task region


def test_ssm_top_level_spellings_and_the_secrets_manager_reference(stored):
    # `plain` and `/plain` are one parameter, as in Parameter Store.
    assert _resolve(stored, "/plain") == "ssm-plain"
    # Parameter Store's window on Secrets Manager: the secret's current value.
    assert _resolve(stored, "/aws/reference/secretsmanager/raw") == "raw-string-value"
    assert "invalid ssm parameters" in _failure(stored, "/aws/reference/secretsmanager/none")


def test_ssm_selectors(stored):
    assert _resolve(stored, "/app/pw:1") == "ssm-secure-v1"
    assert _resolve(stored, "/app/pw:old") == "ssm-secure-v1"
    assert _resolve(stored, f"{SSM_ARN}/app/pw:2") == "ssm-secure-v2"


@pytest.mark.parametrize(
    "value_from",
    [
        "/missing",
        "missing",
        "/app/pw:9",
        "/app/pw:nolabel",
        f"{SSM_ARN}/missing",
        f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/app/pw",
        f"arn:aws:ssm:{REGION}:111111111111:parameter/app/pw",
        "app/pw",
        "/bad name",
    ],
)
def test_ssm_failures(stored, value_from):
    assert _failure(stored, value_from) == SSM_FAILED + f"invalid ssm parameters: {value_from}"


def test_secrets_manager_whole_values(stored):
    _, _, arn, _, extra = stored
    assert json.loads(_resolve(stored, arn)) == CREDS
    assert json.loads(_resolve(stored, arn[:-7])) == CREDS  # without the random suffix
    assert json.loads(_resolve(stored, f"{arn}:::")) == CREDS
    assert _resolve(stored, extra["raw"]) == "raw-string-value"
    assert _resolve(stored, extra["binary"]) == ""  # the agent reads SecretString only


def test_secrets_manager_json_keys_stages_and_versions(stored):
    _, _, arn, old, _ = stored
    assert _resolve(stored, f"{arn}:user::") == "u2"
    assert _resolve(stored, f"{arn[:-7]}:user::") == "u2"
    assert _resolve(stored, f"{arn}:user:AWSPREVIOUS:") == "u1"
    assert _resolve(stored, f"{arn}:user::{old}") == "u1"
    assert _resolve(stored, f"{arn}:user:AWSPREVIOUS:{old}") == "u1"
    assert json.loads(_resolve(stored, f"{arn}::AWSPREVIOUS:")) == {"user": "u1"}


def test_json_fields_are_rendered_as_the_agent_renders_them(stored):
    _, _, arn, _, _ = stored
    rendered = {key: _resolve(stored, f"{arn}:{key}::") for key in CREDS}
    assert rendered == {
        "user": "u2",
        "n": "3",
        "big": "1e+06",
        "ratio": "0.5",
        "on": "true",
        "none": "<nil>",
        "nested": "map[a:x b:1]",
        "list": "[1 two]",
    }


def test_secret_not_found(stored):
    missing = f"{ASM_ARN}:nope-AbCdEf"
    assert _failure(stored, missing) == (
        ASM_FAILED + f"failed to fetch secret {missing} from secrets manager: "
        "ResourceNotFoundException: Secrets Manager can't find the specified secret."
    )
    # The ARN named in the text is the secret's, without the key/stage/version suffixes.
    assert _failure(stored, f"{missing}:user::") == _failure(stored, missing)
    _, _, arn, _, _ = stored
    other_account = arn.replace(ACCOUNT, "111111111111")
    assert "ResourceNotFoundException" in _failure(stored, other_account)


def test_secret_scheduled_for_deletion(stored):
    doomed = stored[4]["doomed"]
    assert _failure(stored, doomed) == (
        ASM_FAILED + f"failed to fetch secret {doomed} from secrets manager: "
        "InvalidRequestException: You can't perform this operation on the secret because it "
        "was marked for deletion."
    )


def test_secret_without_the_asked_version(stored):
    _, _, arn, _, extra = stored
    assert _failure(stored, extra["empty"]) == (
        ASM_FAILED + f"failed to fetch secret {extra['empty']} from secrets manager: "
        "ResourceNotFoundException: Secrets Manager can't find the specified secret value "
        "for staging label: AWSCURRENT"
    )
    assert _failure(stored, f"{arn}:user:NOPE:").endswith(
        "ResourceNotFoundException: Secrets Manager can't find the specified secret value "
        "for staging label: NOPE"
    )
    missing = str(uuid.uuid4())
    assert _failure(stored, f"{arn}:user::{missing}").endswith(
        "ResourceNotFoundException: Secrets Manager can't find the specified secret value "
        f"for VersionId: {missing}"
    )
    assert _failure(stored, f"{arn}:user::short") == (
        ASM_FAILED + f"failed to fetch secret {arn} from secrets manager: InvalidParameter: "
        "1 validation error(s) found.\n- minimum field size of 32, "
        "GetSecretValueInput.VersionId.\n"
    )
    current = stored[3]
    assert _failure(stored, f"{arn}:user:AWSPENDING:{current}").endswith(
        "InvalidRequestException: You provided a VersionStage that is not associated to the "
        "provided VersionId."
    )


def test_json_key_failures(stored):
    _, _, arn, _, extra = stored
    assert _failure(stored, f"{arn}:nokey::") == (
        ASM_FAILED + "retrieved secret from Secrets Manager did not contain json key nokey"
    )
    assert _failure(stored, f"{extra['notjson']}:user::") == (
        ASM_FAILED + "invalid character looking for beginning of value"
    )
    assert _failure(stored, f"{extra['array']}:user::") == (
        ASM_FAILED + "json: cannot unmarshal array into Go value of type map[string]interface {}"
    )
    assert _failure(stored, f"{extra['binary']}:user::") == (
        ASM_FAILED + "unexpected end of JSON input"
    )


def test_malformed_secrets_manager_arn(stored):
    _, _, arn, _, _ = stored
    assert _failure(stored, f"{arn}:user") == (
        ASM_FAILED + f"trying to retrieve secret with value {arn}:user resulted in error: an "
        "invalid ARN format for the AWS Secrets Manager secret was specified. Specify a "
        "valid ARN and try again."
    )
