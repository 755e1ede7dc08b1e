"""Parameter Store fidelity (issue #12, item 4), through boto3 and the aws CLI against a
real `ecsd serve`: a top-level name with and without its slash is one parameter,
DescribeParameters' filter options and refusals, the Secrets Manager reference, and
ParameterNotFound's texts per operation."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error


@pytest.fixture
def ssm(client):
    return client("ssm")


def test_a_top_level_name_with_and_without_its_slash_is_one_parameter(ssm, aws):
    ssm.put_parameter(Name="solo1", Value="v1", Type="String")
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/solo1", Value="v2", Type="String")
    assert aws_error(err)[0] == "ParameterAlreadyExists"
    got = ssm.get_parameter(Name="/solo1")["Parameter"]
    assert (got["Name"], got["Value"]) == ("solo1", "v1")
    assert ssm.put_parameter(Name="/solo1", Value="v2", Overwrite=True)["Version"] == 2
    history = ssm.get_parameter_history(Name="/solo1")["Parameters"]
    assert [(h["Name"], h["Value"]) for h in history] == [("solo1", "v1"), ("solo1", "v2")]
    ssm.label_parameter_version(Name="/solo1", ParameterVersion=1, Labels=["old"])
    assert ssm.get_parameter(Name="solo1:old")["Parameter"]["Value"] == "v1"
    ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId="/solo1", Tags=[{"Key": "k", "Value": "v"}]
    )
    tags = aws.json(
        "ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "solo1"
    )
    assert tags["TagList"] == [{"Key": "k", "Value": "v"}]
    top = [p["Name"] for p in ssm.get_parameters_by_path(Path="/")["Parameters"]]
    assert "solo1" in top
    every = [
        p["Name"]
        for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/", Recursive=True)
        for p in page["Parameters"]
    ]
    assert "solo1" in every
    described = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Path", "Values": ["/"]}, {"Key": "Name", "Values": ["solo1"]}]
    )["Parameters"]
    assert [p["Name"] for p in described] == ["solo1"]
    out = ssm.get_parameters(Names=["/solo1", "solo1:1"])
    assert [p["Value"] for p in out["Parameters"]] == ["v2", "v1"]
    ssm.delete_parameter(Name="/solo1")
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="solo1")
    assert aws_error(err) == ("ParameterNotFound", "")
    # A deeper name has one spelling: `a/b` is not `/a/b`.
    ssm.put_parameter(Name="/deep1/x", Value="d", Type="String")
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="deep1/x")
    assert aws_error(err)[0] == "ValidationException"


def test_parameter_not_found_texts_per_operation(ssm, aws):
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="/nf/x")
    assert aws_error(err) == ("ParameterNotFound", "")
    for call in (
        lambda: ssm.delete_parameter(Name="/nf/x"),
        lambda: ssm.get_parameter_history(Name="/nf/x"),
        lambda: ssm.label_parameter_version(Name="/nf/x", Labels=["a"]),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert aws_error(err) == ("ParameterNotFound", "Parameter /nf/x not found.")
    failed = aws.run("ssm", "delete-parameter", "--name", "/nf/x", check=False)
    assert "ParameterNotFound" in failed.stderr and "Parameter /nf/x not found." in failed.stderr


def test_describe_parameters_every_filter_option(ssm):
    ssm.put_parameter(Name="/dp/alpha", Value="1", Type="String")
    ssm.put_parameter(
        Name="/dp/beta",
        Value="2",
        Type="SecureString",
        KeyId="alias/mine",
        Tags=[{"Key": "team", "Value": "web-front"}],
    )
    ssm.put_parameter(Name="/dp/sub/gamma", Value="3", Type="StringList", Tier="Advanced")
    ssm.put_parameter(
        Name="/dp/sub/delta", Value="ami-0123456789abcdef0", Type="String", DataType="text"
    )

    def names(*filters):
        pages = ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/dp"]}, *filters]
        )
        return sorted(p["Name"] for page in pages for p in page["Parameters"])

    assert names({"Key": "Name", "Option": "Contains", "Values": ["lph", "amm"]}) == [
        "/dp/alpha",
        "/dp/sub/gamma",
    ]
    assert names({"Key": "Name", "Option": "BeginsWith", "Values": ["dp/sub"]}) == [
        "/dp/sub/delta",
        "/dp/sub/gamma",
    ]
    assert names({"Key": "Name", "Values": ["/dp/alpha"]}) == ["/dp/alpha"]
    assert names({"Key": "Type", "Values": ["StringList", "SecureString"]}) == [
        "/dp/beta",
        "/dp/sub/gamma",
    ]
    assert names({"Key": "Type", "Option": "BeginsWith", "Values": ["String"]}) == [
        "/dp/alpha",
        "/dp/sub/delta",
        "/dp/sub/gamma",
    ]
    assert names({"Key": "KeyId", "Values": ["alias/mine"]}) == ["/dp/beta"]
    assert names({"Key": "Tier", "Values": ["Advanced"]}) == ["/dp/sub/gamma"]
    assert len(names({"Key": "DataType", "Values": ["text"]})) == 4
    assert names({"Key": "tag:team"}) == ["/dp/beta"]
    assert names({"Key": "tag:team", "Option": "BeginsWith", "Values": ["web"]}) == ["/dp/beta"]
    assert names({"Key": "tag:team", "Values": ["web"]}) == []
    one_level = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": ["/dp"]}]
    )["Parameters"]
    assert sorted(p["Name"] for p in one_level) == ["/dp/alpha", "/dp/beta"]


@pytest.mark.parametrize(
    ("filters", "code", "message"),
    [
        (
            [{"Key": "Type", "Option": "Contains", "Values": ["String"]}],
            "InvalidFilterOption",
            "The following filter option is not valid: Contains. Valid options include: "
            "[BeginsWith, Equals].",
        ),
        (
            [{"Key": "Path", "Option": "Equals", "Values": ["/x"]}],
            "InvalidFilterOption",
            "The following filter option is not valid: Equals. Valid options include: "
            "[Recursive, OneLevel].",
        ),
        (
            [{"Key": "Type", "Values": ["Secret"]}],
            "InvalidFilterValue",
            "The following filter value is not valid: Secret. Valid values include: "
            "[String, StringList, SecureString].",
        ),
        (
            [{"Key": "Tier", "Values": ["Premium"]}],
            "InvalidFilterValue",
            "The following filter value is not valid: Premium. Valid values include: "
            "[Standard, Advanced, Intelligent-Tiering].",
        ),
        (
            [{"Key": "Name", "Values": ["a"]}, {"Key": "Name", "Values": ["b"]}],
            "ValidationException",
            "The following filter is duplicated in the request: Name. A request can "
            "contain only one occurrence of a specific filter.",
        ),
        (
            [{"Key": "Label", "Values": ["a"]}],
            "InvalidFilterKey",
            "The following filter key is not valid: Label. Valid filter keys include: "
            "[Path, Name, Type, KeyId, Tier].",
        ),
        (
            [{"Key": "Name", "Option": "Like", "Values": ["a"]}],
            "InvalidFilterOption",
            "The following filter option is not valid: Like. Valid options include: "
            "[BeginsWith, Equals].",
        ),
        (
            [{"Key": "Name"}],
            "InvalidFilterValue",
            "The following filter values are missing : null for filter key Name.",
        ),
        (
            [{"Key": "Path", "Values": ["/aws/x"]}],
            "ValidationException",
            'Filters for common parameters can\'t be prefixed with "aws" or "ssm" '
            "(case-insensitive). When using global parameters, please specify within a "
            "global namespace.",
        ),
        (
            [{"Key": "Name", "Values": ["a"]}, {"Key": "key", "Values": ["a"]}, {"Key": "T"}],
            "ValidationException",
            # The pattern as botocore's model (and so AWS's API reference) gives it.
            "2 validation errors detected: Value 'key' at 'parameterFilters.2.member.key' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$; Value 'T' at "
            "'parameterFilters.3.member.key' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: ^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$",
        ),
    ],
)
def test_describe_parameters_refuses_as_aws_does(ssm, filters, code, message):
    with pytest.raises(ClientError) as err:
        ssm.describe_parameters(ParameterFilters=filters)
    assert aws_error(err) == (code, message)


@pytest.mark.parametrize("key", ["Name", "Path", "Tier", "DataType", "tag:team"])
def test_get_parameters_by_path_refuses_the_keys_aws_documents_it_refuses(ssm, aws, key):
    filters = [{"Key": key, "Values": ["x"]}]
    with pytest.raises(ClientError) as err:
        ssm.get_parameters_by_path(Path="/x", ParameterFilters=filters)
    message = (
        f"The following filter key is not valid: {key}. Valid filter keys include: [Type, KeyId]."
    )
    assert aws_error(err) == ("InvalidFilterKey", message)
    out = aws.run(
        "ssm",
        "get-parameters-by-path",
        "--path",
        "/x",
        "--parameter-filters",
        f"Key={key},Values=x",
        check=False,
    )
    assert out.returncode != 0 and message in out.stderr


def test_get_parameters_by_path_filter_options(ssm):
    with pytest.raises(ClientError) as err:
        ssm.get_parameters_by_path(
            Path="/x", ParameterFilters=[{"Key": "Label", "Option": "BeginsWith", "Values": ["a"]}]
        )
    assert aws_error(err) == (
        "InvalidFilterOption",
        "The following filter option is not valid: BeginsWith. Valid options include: [Equals].",
    )


def test_secrets_manager_reference(ssm, client, aws):
    sm = client("secretsmanager")
    arn = sm.create_secret(Name="ref/db", SecretString='{"password":"pw1"}')["ARN"]
    second = sm.put_secret_value(SecretId="ref/db", SecretString='{"password":"pw2"}')
    name = "/aws/reference/secretsmanager/ref/db"
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name=name)
    assert aws_error(err) == (
        "ValidationException",
        "WithDecryption flag must be True for retrieving a Secret Manager secret.",
    )
    got = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert (got["Name"], got["Type"], got["Value"], got["ARN"]) == (
        name,
        "SecureString",
        '{"password":"pw2"}',
        arn,
    )
    source = json.loads(got["SourceResult"])
    assert source["VersionId"] == second["VersionId"]
    assert source["VersionStages"] == ["AWSCURRENT"]
    previous = ssm.get_parameter(Name=name + ":AWSPREVIOUS", WithDecryption=True)["Parameter"]
    assert previous["Value"] == '{"password":"pw1"}' and previous["Selector"] == ":AWSPREVIOUS"
    by_id = ssm.get_parameter(Name=f"{name}:{second['VersionId']}", WithDecryption=True)
    assert by_id["Parameter"]["Value"] == '{"password":"pw2"}'
    out = ssm.get_parameters(
        Names=[name, "/aws/reference/secretsmanager/nope"], WithDecryption=True
    )
    assert [p["Name"] for p in out["Parameters"]] == [name]
    assert out["InvalidParameters"] == ["/aws/reference/secretsmanager/nope"]
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="/aws/reference/secretsmanager/nope", WithDecryption=True)
    assert aws_error(err)[0] == "ParameterNotFound"
    cli = aws.json("ssm", "get-parameter", "--name", name, "--with-decryption")
    assert cli["Parameter"]["Value"] == '{"password":"pw2"}'
