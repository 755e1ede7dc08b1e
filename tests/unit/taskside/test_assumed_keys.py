"""AssumeRole's access keys never pass for keys the credentials endpoint derived: the
SigV4 check would otherwise recompute a secret for them that is not theirs."""

from __future__ import annotations

from ecsd.model.iam.sessions import new_access_key
from ecsd.taskside.keys import TaskKeys


def test_assume_role_keys_are_never_read_as_minted_ones() -> None:
    keys = TaskKeys(b"k" * 32)
    minted = keys.mint("arn:aws:iam::000000000000:role/r", "arn:task", 1_000_000.0)
    assert keys.secret_for(minted.access_key_id, 1_000_000.0) == minted.secret_access_key
    for _ in range(2000):
        akid = new_access_key()
        assert len(akid) == 20 and akid.startswith("ASIA")
        assert keys.secret_for(akid, 1_000_000.0) is None
