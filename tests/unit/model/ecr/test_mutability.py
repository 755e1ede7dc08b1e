"""Which tags a push may move (model/ecr/mutability.py), and the per-image checks the
batch operations answer with failure codes (services/ecr/checks.py)."""

from __future__ import annotations

import pytest

from ecsd.aws.errors import AwsError
from ecsd.model.ecr.mutability import tag_is_mutable
from ecsd.services.ecr import checks

FILTERS = [
    {"filterType": "WILDCARD", "filter": "latest*"},
    {"filterType": "WILDCARD", "filter": "dev"},
]


@pytest.mark.parametrize(
    ("mutability", "tag", "mutable"),
    [
        ("MUTABLE", "v1", True),
        ("IMMUTABLE", "latest", False),
        ("IMMUTABLE_WITH_EXCLUSION", "latest", True),
        ("IMMUTABLE_WITH_EXCLUSION", "latest-arm", True),
        ("IMMUTABLE_WITH_EXCLUSION", "dev", True),
        ("IMMUTABLE_WITH_EXCLUSION", "dev2", False),
        ("IMMUTABLE_WITH_EXCLUSION", "v1", False),
        ("MUTABLE_WITH_EXCLUSION", "latest", False),
        ("MUTABLE_WITH_EXCLUSION", "v1", True),
    ],
)
def test_exclusion_filters(mutability: str, tag: str, mutable: bool) -> None:
    assert tag_is_mutable(mutability, FILTERS, tag) is mutable


def test_image_id_failures() -> None:
    assert checks.image_id_problem({})[0] == "MissingDigestAndTag"  # type: ignore[index]
    assert checks.image_id_problem({"imageDigest": "nope"})[0] == "InvalidImageDigest"  # type: ignore[index]
    assert checks.image_id_problem({"imageTag": "-bad"})[0] == "InvalidImageTag"  # type: ignore[index]
    assert checks.image_id_problem({"imageDigest": "sha256:" + "a" * 64, "imageTag": "v1"}) is None


def test_mutability_needs_filters_exactly_with_the_exclusion_values() -> None:
    assert checks.mutability({}) == ("MUTABLE", [])
    with pytest.raises(AwsError):
        checks.mutability({"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"})
    with pytest.raises(AwsError):
        checks.mutability(
            {"imageTagMutability": "IMMUTABLE", "imageTagMutabilityExclusionFilters": FILTERS}
        )
    with pytest.raises(AwsError):
        checks.mutability(
            {
                "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "a b"}],
            }
        )


def test_policy_texts() -> None:
    ok = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*"}]}'
    )
    assert checks.repository_policy(ok) == ok
    for bad in (
        "",
        "[]",
        '{"Statement":[]}',
        '{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]}',
        '{"Statement":[{"Effect":"Allow","Action":"x"}]}',
    ):
        with pytest.raises(AwsError):
            checks.repository_policy(bad)


def test_tags_limits() -> None:
    assert checks.merged_tags([{"Key": "a", "Value": "1"}], [{"Key": "a", "Value": "2"}]) == [
        {"Key": "a", "Value": "2"}
    ]
    with pytest.raises(AwsError) as e:
        checks.merged_tags([], [{"Key": "", "Value": "x"}])
    assert e.value.code == "InvalidTagParameterException"
    with pytest.raises(AwsError) as e:
        checks.merged_tags(
            [{"Key": f"k{i}", "Value": ""} for i in range(50)], [{"Key": "z", "Value": ""}]
        )
    assert e.value.code == "TooManyTagsException"
