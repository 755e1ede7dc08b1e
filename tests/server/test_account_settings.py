"""Account settings: defaults, account default vs principal, deletion, pagination."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ROOT = "arn:aws:iam::000000000000:root"
ROLE = "arn:aws:iam::000000000000:role/deployer"


def test_defaults_are_listed_for_the_account(ecs):
    settings = [
        s for p in ecs.get_paginator("list_account_settings").paginate() for s in p["settings"]
    ]
    by_name = {s["name"]: s for s in settings}
    assert by_name["serviceLongArnFormat"]["value"] == "enabled"
    assert by_name["containerInsights"]["value"] == "disabled"
    assert all(s["principalArn"] == ROOT for s in settings)


def test_principal_setting_overrides_account_default(ecs):
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    ecs.put_account_setting(name="containerInsights", value="disabled", principalArn=ROLE)
    own = ecs.list_account_settings(principalArn=ROLE)["settings"]
    assert own == [
        {"name": "containerInsights", "value": "disabled", "principalArn": ROLE, "type": "user"}
    ]
    effective = ecs.list_account_settings(
        principalArn=ROLE, effectiveSettings=True, name="awsvpcTrunking"
    )["settings"]
    assert effective[0]["principalArn"] == ROOT
    account = ecs.list_account_settings(name="containerInsights")["settings"]
    assert account[0]["value"] == "enabled"
    deleted = ecs.delete_account_setting(name="containerInsights", principalArn=ROLE)
    assert deleted["setting"]["value"] == "disabled"
    assert ecs.list_account_settings(principalArn=ROLE)["settings"] == []


def test_bad_values_are_refused_and_change_nothing(ecs):
    with pytest.raises(ClientError) as err:
        ecs.put_account_setting(name="serviceLongArnFormat", value="maybe")
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    value = ecs.list_account_settings(name="serviceLongArnFormat")["settings"][0]["value"]
    assert value == "enabled"
