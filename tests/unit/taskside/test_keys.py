"""Tokens and minted task-role credentials: stable across restarts (same key), rotated
with the window, refused once expired, and unknown to any other key."""

from __future__ import annotations

from ecsd.taskside.keys import VALID_WINDOWS, WINDOW_SECONDS, KeyView, TaskKeys, iso, load_key

ARN = "arn:aws:ecs:us-east-1:000000000000:task/default/abc"
ROLE = "arn:aws:iam::000000000000:role/app"


def test_the_key_is_made_once_private_and_kept(tmp_path):
    key = load_key(tmp_path)
    assert len(key) == 32 and load_key(tmp_path) == key
    assert (tmp_path / "taskside.key").stat().st_mode & 0o777 == 0o600


def test_tokens_are_per_kind_task_and_container():
    keys = TaskKeys(b"k" * 32)
    t = keys.token("v4", ARN, "app")
    assert t == TaskKeys(b"k" * 32).token("v4", ARN, "app")  # same after a restart
    assert len(t) == 32
    assert t != keys.token("v4", ARN, "sidecar")
    assert t != keys.token("creds", ARN, "app")
    assert t != TaskKeys(b"x" * 32).token("v4", ARN, "app")


def test_minted_credentials_verify_rotate_and_expire():
    keys = TaskKeys(b"k" * 32)
    now = 1_800_000_000.0
    minted = keys.mint(ROLE, ARN, now)
    assert minted.access_key_id.startswith("ASIA") and len(minted.access_key_id) == 20
    assert keys.secret_for(minted.access_key_id, now) == minted.secret_access_key
    assert minted.expiration - now > WINDOW_SECONDS * (VALID_WINDOWS - 1)
    assert iso(minted.expiration).endswith("Z")
    later = keys.mint(ROLE, ARN, now + WINDOW_SECONDS)
    assert later.access_key_id != minted.access_key_id  # rotated
    assert keys.secret_for(minted.access_key_id, now + WINDOW_SECONDS) is not None
    assert keys.secret_for(minted.access_key_id, minted.expiration) is None  # expired
    assert TaskKeys(b"x" * 32).secret_for(minted.access_key_id, now) != minted.secret_access_key
    assert keys.role_of(minted.token) == {"role": ROLE, "task": ARN, "akid": minted.access_key_id}
    assert TaskKeys(b"x" * 32).role_of(minted.token) is None


def test_the_key_view_adds_minted_keys_to_configured_ones():
    keys = TaskKeys(b"k" * 32)
    now = 1_800_000_000.0
    view = KeyView({"AKID": "secret"}, keys, lambda: now)
    minted = keys.mint(ROLE, ARN, now)
    assert view.get("AKID") == "secret"
    assert view.get(minted.access_key_id) == minted.secret_access_key
    assert view.get("ASIAAAAAAAAAAAAAAAA!") is None
    assert view.get("nope") is None
    assert list(view) == ["AKID"]
