"""ECR repositories through boto3 and the aws CLI against a real `ecsd serve`:
CreateRepository / DescribeRepositories / DeleteRepository, their texts and paging,
tags, repository policies, tag mutability and DescribeRegistry."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

ACCOUNT = "000000000000"
NAME_RULE = (
    "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy "
    "regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }
        ],
    }
)


@pytest.fixture
def ecr(client):
    return client("ecr")


def not_found(name: str) -> tuple[str, str]:
    return (
        "RepositoryNotFoundException",
        f"The repository with name '{name}' does not exist in the registry with id '{ACCOUNT}'",
    )


def test_create_describe_delete(ecr, ecsd):
    repo = ecr.create_repository(
        repositoryName="team/web",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/mine"},
        tags=[{"Key": "team", "Value": "a"}],
    )["repository"]
    host = ecsd.url.removeprefix("http://")
    assert repo["repositoryArn"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/web"
    assert repo["registryId"] == ACCOUNT
    assert repo["repositoryUri"] == f"{host}/team/web"
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": "alias/mine"}
    assert repo["createdAt"].year >= 2024
    plain = ecr.create_repository(repositoryName="plain")["repository"]
    assert plain["imageTagMutability"] == "MUTABLE"
    assert plain["imageScanningConfiguration"] == {"scanOnPush": False}
    assert plain["encryptionConfiguration"] == {"encryptionType": "AES256"}

    got = ecr.describe_repositories(repositoryNames=["team/web"])["repositories"]
    assert got == [repo]
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == [
        "plain",
        "team/web",
    ]
    assert ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"] == [
        {"Key": "team", "Value": "a"}
    ]
    deleted = ecr.delete_repository(repositoryName="team/web")["repository"]
    assert deleted["repositoryName"] == "team/web"
    with pytest.raises(ClientError) as err:
        ecr.describe_repositories(repositoryNames=["team/web"])
    assert aws_error(err) == not_found("team/web")
    with pytest.raises(ClientError) as err:
        ecr.delete_repository(repositoryName="team/web")
    assert aws_error(err) == not_found("team/web")


def test_names_and_duplicates_are_refused_and_change_nothing(ecr):
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as err:
        ecr.create_repository(repositoryName="app", tags=[{"Key": "k", "Value": "v"}])
    assert aws_error(err) == (
        "RepositoryAlreadyExistsException",
        f"The repository with name 'app' already exists in the registry with id '{ACCOUNT}'",
    )
    for bad in ("Upper", "ends-", "a//b", "-lead", "sp ace"):
        with pytest.raises(ClientError) as err:
            ecr.create_repository(repositoryName=bad)
        assert aws_error(err) == ("InvalidParameterException", NAME_RULE), bad
    with pytest.raises(ClientError) as err:
        ecr.describe_repositories(repositoryNames=["Bad"])
    assert aws_error(err) == ("InvalidParameterException", NAME_RULE)
    with pytest.raises(ClientError) as err:
        ecr.create_repository(repositoryName="tt", imageTagMutability="IMMUTABLE_WITH_EXCLUSION")
    assert aws_error(err)[0] == "InvalidParameterException"
    repos = ecr.describe_repositories()["repositories"]
    assert [r["repositoryName"] for r in repos] == ["app"]
    assert ecr.list_tags_for_resource(resourceArn=repos[0]["repositoryArn"])["tags"] == []


def test_paging(ecr):
    names = [f"r{i:02d}" for i in range(7)]
    for n in names:
        ecr.create_repository(repositoryName=n)
    seen, token, pages = [], None, 0
    while True:
        kw = {"maxResults": 3, **({"nextToken": token} if token else {})}
        out = ecr.describe_repositories(**kw)
        seen += [r["repositoryName"] for r in out["repositories"]]
        pages += 1
        token = out.get("nextToken")
        if not token:
            break
    assert (seen, pages) == (names, 3)
    paged = ecr.get_paginator("describe_repositories").paginate(PaginationConfig={"PageSize": 2})
    assert [r["repositoryName"] for p in paged for r in p["repositories"]] == names
    with pytest.raises(ClientError) as err:
        ecr.describe_repositories(nextToken="garbage!")
    assert aws_error(err)[0] == "InvalidParameterException"


def test_tags(ecr):
    arn = ecr.create_repository(repositoryName="tagged")["repository"]["repositoryArn"]
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "3"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "a", "Value": "3"}]
    with pytest.raises(ClientError) as err:
        ecr.tag_resource(resourceArn=arn, tags=[{"Key": "aws:x", "Value": "1"}])
    assert aws_error(err)[0] == "InvalidTagParameterException"
    with pytest.raises(ClientError) as err:
        ecr.tag_resource(resourceArn=arn, tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert aws_error(err)[0] == "TooManyTagsException"
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "a", "Value": "3"}]
    gone = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/gone"
    with pytest.raises(ClientError) as err:
        ecr.list_tags_for_resource(resourceArn=gone)
    assert aws_error(err) == not_found("gone")
    with pytest.raises(ClientError) as err:
        ecr.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")
    assert aws_error(err)[0] == "InvalidParameterException"


def test_repository_policy(ecr):
    ecr.create_repository(repositoryName="pol")
    with pytest.raises(ClientError) as err:
        ecr.get_repository_policy(repositoryName="pol")
    assert aws_error(err) == (
        "RepositoryPolicyNotFoundException",
        f"Repository policy does not exist for the repository with name 'pol' in the "
        f"registry with id '{ACCOUNT}'",
    )
    out = ecr.set_repository_policy(repositoryName="pol", policyText=POLICY)
    assert (out["registryId"], out["repositoryName"], out["policyText"]) == (ACCOUNT, "pol", POLICY)
    assert ecr.get_repository_policy(repositoryName="pol")["policyText"] == POLICY
    with pytest.raises(ClientError) as err:
        ecr.set_repository_policy(repositoryName="pol", policyText='{"Statement": 1}')
    assert aws_error(err) == (
        "InvalidParameterException",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid "
        "repository policy provided'",
    )
    assert ecr.get_repository_policy(repositoryName="pol")["policyText"] == POLICY
    assert ecr.delete_repository_policy(repositoryName="pol")["policyText"] == POLICY
    with pytest.raises(ClientError) as err:
        ecr.delete_repository_policy(repositoryName="pol")
    assert aws_error(err)[0] == "RepositoryPolicyNotFoundException"
    with pytest.raises(ClientError) as err:
        ecr.set_repository_policy(repositoryName="nope", policyText=POLICY)
    assert aws_error(err) == not_found("nope")


def test_tag_mutability_and_scanning(ecr):
    ecr.create_repository(repositoryName="mut")
    out = ecr.put_image_tag_mutability(repositoryName="mut", imageTagMutability="IMMUTABLE")
    assert (out["repositoryName"], out["imageTagMutability"]) == ("mut", "IMMUTABLE")
    repo = ecr.describe_repositories(repositoryNames=["mut"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    filters = [{"filterType": "WILDCARD", "filter": "latest*"}]
    ecr.put_image_tag_mutability(
        repositoryName="mut",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=filters,
    )
    repo = ecr.describe_repositories(repositoryNames=["mut"])["repositories"][0]
    assert repo["imageTagMutabilityExclusionFilters"] == filters
    with pytest.raises(ClientError) as err:
        ecr.put_image_tag_mutability(
            repositoryName="mut", imageTagMutability="IMMUTABLE_WITH_EXCLUSION"
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        ecr.put_image_tag_mutability(repositoryName="none", imageTagMutability="MUTABLE")
    assert aws_error(err) == not_found("none")
    ecr.put_image_scanning_configuration(
        repositoryName="mut", imageScanningConfiguration={"scanOnPush": True}
    )
    repo = ecr.describe_repositories(repositoryNames=["mut"])["repositories"][0]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}


def test_describe_registry_and_other_registries(ecr):
    out = ecr.describe_registry()
    assert out["registryId"] == ACCOUNT
    assert out["replicationConfiguration"] == {"rules": []}
    assert ecr.describe_repositories(registryId=ACCOUNT)["repositories"] == []
    with pytest.raises(ClientError) as err:
        ecr.describe_repositories(registryId="123456789012")
    assert aws_error(err)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as err:
        ecr.get_registry_policy()
    assert aws_error(err) == (
        "RegistryPolicyNotFoundException",
        f"Registry policy does not exist in the registry with id '{ACCOUNT}'",
    )
    scanning = ecr.get_registry_scanning_configuration()["scanningConfiguration"]
    assert scanning == {"scanType": "BASIC", "rules": []}
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
    ecr.create_repository(repositoryName="scan", imageScanningConfiguration={"scanOnPush": True})
    out = ecr.batch_get_repository_scanning_configuration(repositoryNames=["scan", "nope"])
    assert [(c["repositoryName"], c["scanOnPush"]) for c in out["scanningConfigurations"]] == [
        ("scan", True)
    ]
    assert [f["repositoryName"] for f in out["failures"]] == ["nope"]


def test_the_aws_cli_creates_and_lists(aws):
    made = aws.json("ecr", "create-repository", "--repository-name", "test-repos")
    assert made["repository"]["repositoryName"] == "test-repos"
    listed = aws.json("ecr", "describe-repositories")["repositories"]
    assert [r["repositoryName"] for r in listed] == ["test-repos"]
    bad = aws.run("ecr", "create-repository", "--repository-name", "test-repos", check=False)
    assert bad.returncode != 0 and "RepositoryAlreadyExistsException" in bad.stderr


def test_the_aws_cli_policies_tags_and_lifecycle(aws, tmp_path):
    arn = aws.json(
        "ecr", "create-repository", "--repository-name", "cli/app", "--tags", "Key=a,Value=1"
    )["repository"]["repositoryArn"]
    aws.run("ecr", "tag-resource", "--resource-arn", arn, "--tags", "Key=b,Value=2")
    tags = aws.json("ecr", "list-tags-for-resource", "--resource-arn", arn)["tags"]
    assert tags == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    (tmp_path / "policy.json").write_text(POLICY)
    aws.run(
        "ecr",
        "set-repository-policy",
        "--repository-name",
        "cli/app",
        "--policy-text",
        "file://policy.json",
        cwd=tmp_path,
    )
    got = aws.json("ecr", "get-repository-policy", "--repository-name", "cli/app")
    assert json.loads(got["policyText"]) == json.loads(POLICY)
    lifecycle = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 14,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
    )
    aws.run(
        "ecr",
        "put-lifecycle-policy",
        "--repository-name",
        "cli/app",
        "--lifecycle-policy-text",
        lifecycle,
    )
    assert (
        aws.json("ecr", "get-lifecycle-policy", "--repository-name", "cli/app")[
            "lifecyclePolicyText"
        ]
        == lifecycle
    )
    aws.run("ecr", "start-lifecycle-policy-preview", "--repository-name", "cli/app")
    preview = aws.json("ecr", "get-lifecycle-policy-preview", "--repository-name", "cli/app")
    assert (preview["status"], preview["previewResults"]) == ("COMPLETE", [])
    bad = aws.run(
        "ecr",
        "put-lifecycle-policy",
        "--repository-name",
        "cli/app",
        "--lifecycle-policy-text",
        "{}" + " " * 100,
        check=False,
    )
    assert bad.returncode != 0 and "object has missing required properties" in bad.stderr
    aws.run("ecr", "delete-repository", "--repository-name", "cli/app", "--force")
    gone = aws.run("ecr", "describe-repositories", "--repository-names", "cli/app", check=False)
    assert gone.returncode != 0 and "RepositoryNotFoundException" in gone.stderr
