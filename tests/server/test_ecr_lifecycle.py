"""ECR lifecycle policies against a real `ecsd serve` (and in fake time in-process):
Put / Get / DeleteLifecyclePolicy with AWS's texts, the preview, and images REALLY
expired by the lifecycle controller soon after the policy is put or an image is pushed."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error, client_for
from test_ecr_images import push

from ecsd.core.clock import FakeClock

ACCOUNT = "000000000000"
DAY = 86400.0


@pytest.fixture
def ecr(client):
    return client("ecr")


def policy(*rules):
    return json.dumps({"rules": list(rules)})


def rule(priority, action="expire", **selection):
    return {
        "rulePriority": priority,
        "description": f"rule {priority}",
        "selection": selection,
        "action": {"type": action},
    }


KEEP_ONE_UNTAGGED = policy(
    rule(1, tagStatus="untagged", countType="imageCountMoreThan", countNumber=1)
)


def digests(ecr, repo):
    return sorted(
        d["imageDigest"] for d in ecr.describe_images(repositoryName=repo)["imageDetails"]
    )


def wait_for(fn, want, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_policy_texts_and_errors(ecr):
    ecr.create_repository(repositoryName="lc")
    with pytest.raises(ClientError) as err:
        ecr.get_lifecycle_policy(repositoryName="lc")
    assert aws_error(err) == (
        "LifecyclePolicyNotFoundException",
        f"Lifecycle policy does not exist for the repository with name 'lc' in the registry "
        f"with id '{ACCOUNT}'",
    )
    bad = policy(
        rule(
            1, action="delete", tagStatus="untagged", countType="imageCountMoreThan", countNumber=1
        )
    )
    with pytest.raises(ClientError) as err:
        ecr.put_lifecycle_policy(repositoryName="lc", lifecyclePolicyText=bad)
    assert aws_error(err) == (
        "InvalidParameterException",
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle "
        "policy validation failure: instance value (delete) not found in enum (possible "
        'values: ["expire"])\'',
    )
    with pytest.raises(ClientError) as err:
        ecr.get_lifecycle_policy(repositoryName="lc")
    assert aws_error(err)[0] == "LifecyclePolicyNotFoundException"  # the refusal kept nothing
    out = ecr.put_lifecycle_policy(repositoryName="lc", lifecyclePolicyText=KEEP_ONE_UNTAGGED)
    assert out == {
        "registryId": ACCOUNT,
        "repositoryName": "lc",
        "lifecyclePolicyText": KEEP_ONE_UNTAGGED,
        "ResponseMetadata": out["ResponseMetadata"],
    }
    got = ecr.get_lifecycle_policy(repositoryName="lc")
    assert got["lifecyclePolicyText"] == KEEP_ONE_UNTAGGED and "lastEvaluatedAt" in got
    assert (
        ecr.delete_lifecycle_policy(repositoryName="lc")["lifecyclePolicyText"] == KEEP_ONE_UNTAGGED
    )
    with pytest.raises(ClientError) as err:
        ecr.delete_lifecycle_policy(repositoryName="lc")
    assert aws_error(err)[0] == "LifecyclePolicyNotFoundException"
    with pytest.raises(ClientError) as err:
        ecr.put_lifecycle_policy(repositoryName="nope", lifecyclePolicyText=KEEP_ONE_UNTAGGED)
    assert aws_error(err)[0] == "RepositoryNotFoundException"
    with pytest.raises(ClientError) as err:
        ecr.get_lifecycle_policy_preview(repositoryName="lc")
    assert aws_error(err)[0] == "LifecyclePolicyPreviewNotFoundException"


def test_preview_then_policy_really_expires_images(ecr):
    ecr.create_repository(repositoryName="exp")
    old = [push(ecr, "exp", f"u{i}")[0] for i in range(3)]  # untagged, oldest first
    keep_tagged = [push(ecr, "exp", f"t{i}", f"prod-{i}")[0] for i in range(3)]
    text = policy(
        rule(
            1,
            tagStatus="tagged",
            tagPrefixList=["prod"],
            countType="imageCountMoreThan",
            countNumber=2,
        ),
        rule(2, tagStatus="untagged", countType="imageCountMoreThan", countNumber=1),
    )
    started = ecr.start_lifecycle_policy_preview(repositoryName="exp", lifecyclePolicyText=text)
    assert started["status"] == "IN_PROGRESS"
    preview = ecr.get_lifecycle_policy_preview(repositoryName="exp")
    assert preview["status"] == "COMPLETE"
    assert preview["summary"] == {"expiringImageTotalCount": 3}
    expiring = {r["imageDigest"]: r for r in preview["previewResults"]}
    assert set(expiring) == {old[0], old[1], keep_tagged[0]}
    assert expiring[keep_tagged[0]]["appliedRulePriority"] == 1
    assert expiring[keep_tagged[0]]["imageTags"] == ["prod-0"]
    assert expiring[old[0]]["action"] == {"type": "EXPIRE"}
    paged = list(
        ecr.get_paginator("get_lifecycle_policy_preview").paginate(
            repositoryName="exp", PaginationConfig={"PageSize": 2}
        )
    )
    assert sum(len(p["previewResults"]) for p in paged) == 3 and len(paged) == 2
    assert len(digests(ecr, "exp")) == 6  # a preview expires nothing

    ecr.put_lifecycle_policy(repositoryName="exp", lifecyclePolicyText=text)
    want = sorted([old[2], *keep_tagged[1:]])
    assert wait_for(lambda: digests(ecr, "exp"), want) == want
    # A push past the count is expired soon after, without touching the policy.
    newest = push(ecr, "exp", "u-new")[0]
    want = sorted([newest, *keep_tagged[1:]])
    assert wait_for(lambda: digests(ecr, "exp"), want) == want


def jump(server, clock: FakeClock, seconds: float) -> None:
    """Move the daemon's fake time on by `seconds` at once, as a suspended machine sees
    it: every sleeper whose deadline passed wakes once (advancing step by step would run
    every controller's periodic pass for two days: minutes of real time)."""
    clock._now += seconds  # FakeClock has no public jump; advance(0) then wakes the due
    server._run(clock.advance(0))


def test_since_image_pushed_in_fake_time(in_process):
    clock = FakeClock(start=time.time())
    server = in_process(clock=clock)
    ecr = client_for(server, "ecr")
    ecr.create_repository(repositoryName="aging")
    first = push(ecr, "aging", "a", "v1")[0]
    jump(server, clock, 2 * DAY)
    second = push(ecr, "aging", "b", "v2")[0]
    text = policy(
        rule(1, tagStatus="any", countType="sinceImagePushed", countUnit="days", countNumber=3)
    )
    ecr.put_lifecycle_policy(repositoryName="aging", lifecyclePolicyText=text)
    server._run(clock.advance(5))  # the pass the policy asked for has run
    assert digests(ecr, "aging") == sorted([first, second])  # neither is 3 days old
    jump(server, clock, 1.5 * DAY)  # first is 3.5 days old, second 1.5: the hourly pass
    assert wait_for(lambda: digests(ecr, "aging"), [second]) == [second]


def test_tag_pattern_list_and_any_status_really_expire(ecr):
    ecr.create_repository(repositoryName="pat")
    release = [push(ecr, "pat", f"r{i}", f"prod-{i}-release")[0] for i in range(3)]
    beta = push(ecr, "pat", "b", "prod-9-beta")[0]  # matches the prefix, not the pattern
    dev = push(ecr, "pat", "d", "dev")[0]
    untagged = push(ecr, "pat", "u")[0]
    text = policy(
        rule(
            1,
            tagStatus="tagged",
            tagPatternList=["prod-*-release"],
            countType="imageCountMoreThan",
            countNumber=1,
        ),
        # Priority 2 counts every image, but never expires one rule 1 identified (AWS:
        # "cannot be expired by a rule with a lower priority").
        rule(2, tagStatus="any", countType="imageCountMoreThan", countNumber=3),
    )
    ecr.start_lifecycle_policy_preview(repositoryName="pat", lifecyclePolicyText=text)
    preview = ecr.get_lifecycle_policy_preview(repositoryName="pat")
    got = {r["imageDigest"]: r["appliedRulePriority"] for r in preview["previewResults"]}
    assert got == {release[0]: 1, release[1]: 1}
    ecr.put_lifecycle_policy(repositoryName="pat", lifecyclePolicyText=text)
    want = sorted([release[2], beta, dev, untagged])
    assert wait_for(lambda: digests(ecr, "pat"), want) == want
    # One more push: prod-9-beta is now fourth newest, and rule 1 never identified it.
    newest = push(ecr, "pat", "u2")[0]
    want = sorted([release[2], dev, untagged, newest])
    assert wait_for(lambda: digests(ecr, "pat"), want) == want
