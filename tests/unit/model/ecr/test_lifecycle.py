"""The lifecycle-policy engine (model/ecr/lifecycle.py): AWS's evaluation rules on image
records in plain numbers, and the policy texts AWS refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecsd.model.ecr.lifecycle import DAY, Image, PolicyError, check, evaluate, identifies

NOW = 1_800_000_000.0


def policy(*rules: dict[str, Any]) -> str:
    return json.dumps({"rules": list(rules)})


def rule(priority: int, **selection: Any) -> dict[str, Any]:
    return {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}


def img(name: str, days_ago: float, *tags: str) -> Image:
    return Image(f"sha256:{name}", tuple(tags), NOW - days_ago * DAY)


def expired(text: str, images: list[Image]) -> list[tuple[str, int]]:
    return [(e.image.digest[7:], e.priority) for e in evaluate(check(text), images, NOW)]


def test_count_keeps_the_newest_untagged_images() -> None:
    images = [img("a", 5), img("b", 4), img("c", 3), img("t", 10, "v1")]
    text = policy(rule(1, tagStatus="untagged", countType="imageCountMoreThan", countNumber=1))
    assert expired(text, images) == [("a", 1), ("b", 1)]


def test_since_image_pushed_counts_days() -> None:
    images = [img("old", 15, "prod-1"), img("new", 13, "prod-2"), img("dev", 30, "dev-1")]
    text = policy(
        rule(
            1,
            tagStatus="tagged",
            tagPatternList=["prod*"],
            countType="sinceImagePushed",
            countUnit="days",
            countNumber=14,
        )
    )
    assert expired(text, images) == [("old", 1)]


def test_the_user_guides_multiple_rules_example() -> None:
    # Rule 1 expires A; rule 2 would expire A and B, but A is gone and B was identified
    # by rule 1, which a lower-priority rule may not overrule: only A is expired.
    images = [
        img("A", 10, "beta-1", "prod-1"),
        img("B", 9, "beta-2", "prod-2"),
        img("C", 8, "beta-3"),
    ]
    text = policy(
        rule(
            1,
            tagStatus="tagged",
            tagPrefixList=["prod"],
            countType="imageCountMoreThan",
            countNumber=1,
        ),
        rule(
            2,
            tagStatus="tagged",
            tagPrefixList=["beta"],
            countType="imageCountMoreThan",
            countNumber=1,
        ),
    )
    assert expired(text, images) == [("A", 1)]


def test_rules_run_in_priority_order_whatever_the_text_order() -> None:
    images = [img("a", 3, "x1"), img("b", 2, "x2"), img("c", 1, "x3")]
    text = policy(
        rule(9, tagStatus="any", countType="imageCountMoreThan", countNumber=1),
        rule(
            2,
            tagStatus="tagged",
            tagPrefixList=["x"],
            countType="imageCountMoreThan",
            countNumber=2,
        ),
    )
    # Priority 2 identifies all three and expires a; the `any` rule may not touch b.
    assert expired(text, images) == [("a", 2)]


def test_a_prefix_list_needs_every_prefix_matched() -> None:
    r = check(
        policy(
            rule(
                1,
                tagStatus="tagged",
                tagPrefixList=["alpha", "beta"],
                countType="imageCountMoreThan",
                countNumber=1,
            )
        )
    )[0]
    assert identifies(r, img("x", 1, "alpha-1", "beta-1"))
    assert not identifies(r, img("y", 1, "alpha-1"))
    assert not identifies(r, img("z", 1))


def test_patterns_match_whole_tags_with_wildcards() -> None:
    r = check(
        policy(
            rule(
                1,
                tagStatus="tagged",
                tagPatternList=["*test*1*"],
                countType="imageCountMoreThan",
                countNumber=1,
            )
        )
    )[0]
    assert identifies(r, img("x", 1, "mytest-v1.0"))
    assert not identifies(r, img("y", 1, "mytest-v2"))
    exact = check(
        policy(
            rule(
                1,
                tagStatus="tagged",
                tagPatternList=["latest"],
                countType="imageCountMoreThan",
                countNumber=1,
            )
        )
    )[0]
    assert identifies(exact, img("z", 1, "latest"))
    assert not identifies(exact, img("w", 1, "latest-2"))
    dots = check(
        policy(
            rule(
                1,
                tagStatus="tagged",
                tagPatternList=["v1.*"],
                countType="imageCountMoreThan",
                countNumber=1,
            )
        )
    )[0]
    assert not identifies(dots, img("v", 1, "v1x2"))  # '.' is a literal dot


def test_nothing_to_expire_under_the_count() -> None:
    text = policy(rule(1, tagStatus="any", countType="imageCountMoreThan", countNumber=5))
    assert expired(text, [img("a", 1, "t"), img("b", 2)]) == []


def _refused(text: str) -> str:
    with pytest.raises(PolicyError) as e:
        check(text)
    assert e.value.message.startswith(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
        "'Lifecycle policy validation failure: "
    )
    return e.value.message


GOOD = dict(tagStatus="untagged", countType="imageCountMoreThan", countNumber=1)


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        ("not json", "Could not map policyString into LifecyclePolicy.'"),
        (
            "[]",
            'instance type (array) does not match any allowed primitive type (allowed: ["object"])\'',
        ),
        ("{}", 'object has missing required properties (["rules"])\''),
        (
            json.dumps({"rules": [{"selection": GOOD}]}),
            'object has missing required properties (["action","rulePriority"])\'',
        ),
        (
            json.dumps({"rules": [dict(rule(1, **GOOD), extra=1)]}),
            'properties which are not allowed by the schema: (["extra"])\'',
        ),
        (
            policy(rule(1, tagStatus="some", countType="imageCountMoreThan", countNumber=1)),
            'instance value (some) not found in enum (possible values: ["any","tagged","untagged"])\'',
        ),
        (
            policy(rule(1, tagStatus="any", countType="sinceForever", countNumber=1)),
            "instance failed to match exactly one schema (matched 0 out of 2)'",
        ),
        (
            policy(rule(1, tagStatus="any", countType="imageCountMoreThan", countNumber=0)),
            "numeric instance is lower than the required minimum (minimum: 1, found: 0)'",
        ),
        (policy(rule(0, **GOOD)), "(minimum: 1, found: 0)'"),
        (
            policy(rule(1, tagStatus="any", countType="sinceImagePushed", countNumber=3)),
            'object has missing required properties (["countUnit"])\'',
        ),
        (
            policy(
                rule(
                    1,
                    tagStatus="any",
                    countType="sinceImagePushed",
                    countUnit="hours",
                    countNumber=3,
                )
            ),
            'instance value (hours) not found in enum (possible values: ["days"])\'',
        ),
        (
            policy(
                rule(
                    1,
                    tagStatus="any",
                    countType="imageCountMoreThan",
                    countUnit="days",
                    countNumber=3,
                )
            ),
            '(["countUnit"])\'',
        ),
        (
            policy(rule(1, tagStatus="tagged", countType="imageCountMoreThan", countNumber=3)),
            "must be specified when tagStatus is 'tagged''",
        ),
        (
            policy(
                rule(
                    1,
                    tagStatus="untagged",
                    tagPrefixList=["a"],
                    countType="imageCountMoreThan",
                    countNumber=3,
                )
            ),
            "only be used when tagStatus is 'tagged''",
        ),
        (
            policy(
                rule(
                    1,
                    tagStatus="tagged",
                    tagPatternList=["*a*b*c*d*e"],
                    countType="imageCountMoreThan",
                    countNumber=3,
                )
            ),
            "more than 4 wildcards'",
        ),
        (
            policy(
                rule(1, **GOOD),
                rule(1, tagStatus="any", countType="imageCountMoreThan", countNumber=2),
            ),
            "rulePriority 1 is used by more than one rule'",
        ),
        (
            policy(
                rule(1, tagStatus="any", countType="imageCountMoreThan", countNumber=2),
                rule(2, **GOOD),
            ),
            "must have the highest rulePriority value'",
        ),
        (policy(rule(1, **GOOD), rule(2, **GOOD)), "only one rule may select untagged images'"),
        (
            json.dumps({"rules": [dict(rule(1, **GOOD), action={"type": "delete"})]}),
            'instance value (delete) not found in enum (possible values: ["expire"])\'',
        ),
        (
            json.dumps(
                {
                    "rules": [
                        rule(1, tagStatus="any", countType="imageCountMoreThan", countNumber="3")
                    ]
                }
            ),
            'instance type (string) does not match any allowed primitive type (allowed: ["integer"])\'',
        ),
        ('{"rules": [NaN]}', "Could not map policyString into LifecyclePolicy.'"),
    ],
)
def test_refused_policies_say_why(text: str, tail: str) -> None:
    assert _refused(text).endswith(tail)


def test_a_valid_policy_comes_back_in_priority_order() -> None:
    rules = check(
        policy(
            rule(5, tagStatus="any", countType="imageCountMoreThan", countNumber=9), rule(2, **GOOD)
        )
    )
    assert [r.priority for r in rules] == [2, 5]
