"""Every `valueFrom` form ECS accepts, resolved against what a real server stored."""

from __future__ import annotations

import json

import pytest

from conftest import client_for
from ecsd.config import Settings
from ecsd.services import all_providers
from ecsd.services.ecs.container_secrets import SecretResolutionError, resolve
from ecsd.store import Store


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from server_process import EcsdProcess
    data = tmp_path_factory.mktemp("secrets") / "data"
    server = EcsdProcess(data).start()
    ssm, sm = client_for(server, "ssm"), client_for(server, "secretsmanager")
    ssm.put_parameter(Name="/app/pw", Value="ssm-secure", Type="SecureString")
    ssm.put_parameter(Name="plain", Value="ssm-plain", Type="String")
    arn = sm.create_secret(Name="app/creds", SecretString=json.dumps({"user": "u1"}))["ARN"]
    old = sm.get_secret_value(SecretId=arn)["VersionId"]
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"user": "u2", "n": 3}))
    server.stop()
    all_providers()
    store = Store(data / "ecsd.db")
    yield store, Settings(data_dir=data), arn, old
    store.close()


def _resolve(stored, value_from: str) -> str:
    store, settings, _, _ = stored
    return store.read_sync(lambda conn: resolve(conn, region="us-east-1",
                                                account="000000000000", settings=settings,
                                                value_from=value_from))


def test_ssm_forms(stored):
    assert _resolve(stored, "/app/pw") == "ssm-secure"
    assert _resolve(stored, "plain") == "ssm-plain"
    assert _resolve(stored, "arn:aws:ssm:us-east-1:000000000000:parameter/app/pw") == "ssm-secure"
    assert _resolve(stored, "arn:aws:ssm:us-east-1:000000000000:parameter/plain") == "ssm-plain"


def test_secrets_manager_forms(stored):
    _, _, arn, old = stored
    assert json.loads(_resolve(stored, arn)) == {"user": "u2", "n": 3}
    assert _resolve(stored, f"{arn}:user::") == "u2"
    assert _resolve(stored, f"{arn}:n::") == "3"
    assert _resolve(stored, f"{arn}:user:AWSPREVIOUS:") == "u1"
    assert _resolve(stored, f"{arn}:user::{old}") == "u1"
    without_suffix = arn.rsplit("-", 1)[0]
    assert _resolve(stored, f"{without_suffix}:user::") == "u2"


@pytest.mark.parametrize("value_from, text", [
    ("/missing", "invalid ssm parameters: /missing"),
    ("arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-abcdef",
     "ResourceNotFoundException: Secrets Manager can't find the specified secret."),
])
def test_failures_name_what_failed(stored, value_from, text):
    with pytest.raises(SecretResolutionError) as err:
        _resolve(stored, value_from)
    assert str(err.value).startswith("unable to pull secrets or registry auth: ")
    assert text in str(err.value)


def test_missing_json_key(stored):
    _, _, arn, _ = stored
    with pytest.raises(SecretResolutionError) as err:
        _resolve(stored, f"{arn}:nokey::")
    assert "did not contain json key nokey" in str(err.value)
    assert "u2" not in str(err.value)
