"""SSM Parameter Store through boto3 and the aws CLI against a real `ecsd serve`."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

ACCOUNT = "000000000000"
NAME_RULES = (
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). '
    "If formed as a path, it can consist of sub-paths divided by slash symbol; each "
    "sub-path can be formed as a mix of letters, numbers and the following 3 "
    "symbols .-_"
)


@pytest.fixture
def ssm(client):
    return client("ssm")


def test_put_creates_versions_and_refuses_to_overwrite_silently(ssm):
    first = ssm.put_parameter(Name="/app/db/url", Value="postgres://a", Type="String")
    assert (first["Version"], first["Tier"]) == (1, "Standard")
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/app/db/url", Value="postgres://b", Type="String")
    assert aws_error(err) == (
        "ParameterAlreadyExists",
        (
            "The parameter already exists. To overwrite this value, set the "
            "overwrite option in the request to true."
        ),
    )
    out = ssm.put_parameter(Name="/app/db/url", Value="postgres://b", Overwrite=True)
    assert (out["Version"], out["Tier"]) == (2, "Standard")
    got = ssm.get_parameter(Name="/app/db/url")["Parameter"]
    assert got["Value"] == "postgres://b" and got["Version"] == 2
    assert got["Type"] == "String"  # kept from the first version when not given again
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db/url"
    assert got["DataType"] == "text"
    assert "Selector" not in got
    ssm.put_parameter(Name="plain", Value="p", Type="String")
    assert (
        ssm.get_parameter(Name="plain")["Parameter"]["ARN"]
        == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/plain"
    )


def test_first_put_needs_a_type(ssm):
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/typeless", Value="v")
    assert aws_error(err) == (
        "ValidationException",
        "A parameter type is required when you create a parameter.",
    )


def test_secure_string_is_opaque_unless_decrypted(ssm, aws):
    aws.json(
        "ssm",
        "put-parameter",
        "--name",
        "/app/db/password",
        "--value",
        "hunter2",
        "--type",
        "SecureString",
    )
    hidden = ssm.get_parameter(Name="/app/db/password")["Parameter"]
    assert hidden["Value"] != "hunter2" and b"hunter2" not in base64.b64decode(hidden["Value"])
    assert (
        ssm.get_parameter(Name="/app/db/password", WithDecryption=True)["Parameter"]["Value"]
        == "hunter2"
    )
    shown = aws.json("ssm", "get-parameter", "--name", "/app/db/password", "--with-decryption")[
        "Parameter"
    ]
    assert (shown["Value"], shown["Type"], shown["Version"]) == ("hunter2", "SecureString", 1)
    described = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": ["/app/db/password"]}]
    )["Parameters"][0]
    assert described["KeyId"] == "alias/aws/ssm"
    ssm.put_parameter(
        Name="/app/db/password", Value="hunter3", Overwrite=True, KeyId="alias/custom"
    )
    again = ssm.get_parameter(Name="/app/db/password", WithDecryption=True)["Parameter"]
    assert (again["Value"], again["Type"]) == ("hunter3", "SecureString")


def test_string_list_round_trips(ssm):
    ssm.put_parameter(Name="/app/hosts", Value="a,b,c", Type="StringList")
    got = ssm.get_parameter(Name="/app/hosts")["Parameter"]
    assert (got["Type"], got["Value"]) == ("StringList", "a,b,c")


def test_version_and_label_selectors(ssm):
    for value in ("one", "two", "three"):
        ssm.put_parameter(Name="/sel", Value=value, Type="String", Overwrite=True)
    first = ssm.get_parameter(Name="/sel:1")["Parameter"]
    assert (first["Value"], first["Version"], first["Selector"], first["Name"]) == (
        "one",
        1,
        ":1",
        "/sel",
    )
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="/sel:9")
    assert aws_error(err) == (
        "ParameterVersionNotFound",
        ("Systems Manager could not find version 9 of /sel. Verify the version and try again."),
    )
    out = ssm.label_parameter_version(
        Name="/sel", ParameterVersion=2, Labels=["stable", "1bad", "awsy"]
    )
    assert out["InvalidLabels"] == ["1bad", "awsy"] and out["ParameterVersion"] == 2
    assert ssm.get_parameter(Name="/sel:stable")["Parameter"]["Value"] == "two"
    # A label names one version: labelling another moves it.
    ssm.label_parameter_version(Name="/sel", Labels=["stable"])
    assert ssm.get_parameter(Name="/sel:stable")["Parameter"]["Version"] == 3
    history = ssm.get_parameter_history(Name="/sel")["Parameters"]
    assert [(h["Version"], h["Value"], h["Labels"]) for h in history] == [
        (1, "one", []),
        (2, "two", []),
        (3, "three", ["stable"]),
    ]
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="/sel:nolabel")
    assert aws_error(err)[0] == "ParameterNotFound"
    removed = ssm.unlabel_parameter_version(
        Name="/sel", ParameterVersion=3, Labels=["stable", "other"]
    )
    assert (removed["RemovedLabels"], removed["InvalidLabels"]) == (["stable"], ["other"])


def test_history_pages_and_hides_secure_values(ssm):
    for i in range(5):
        ssm.put_parameter(
            Name="/hist",
            Value=f"secret-{i}",
            Type="SecureString",
            Overwrite=True,
            Description=f"d{i}",
        )
    pages = list(
        ssm.get_paginator("get_parameter_history").paginate(
            Name="/hist", WithDecryption=True, PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["Parameters"]) for p in pages] == [2, 2, 1]
    items = [h for p in pages for h in p["Parameters"]]
    assert [h["Value"] for h in items] == [f"secret-{i}" for i in range(5)]
    assert [h["Description"] for h in items] == [f"d{i}" for i in range(5)]
    plain = ssm.get_parameter_history(Name="/hist")["Parameters"]
    assert all(not h["Value"].startswith("secret-") for h in plain)


def test_get_parameters_reports_what_it_cannot_find(ssm):
    ssm.put_parameter(Name="/a", Value="1", Type="String")
    ssm.put_parameter(Name="b", Value="2", Type="SecureString")
    out = ssm.get_parameters(
        Names=["/a", "/missing", (f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/b"), "/a:7"],
        WithDecryption=True,
    )
    assert [(p["Name"], p["Value"]) for p in out["Parameters"]] == [("/a", "1"), ("b", "2")]
    assert out["InvalidParameters"] == ["/missing", "/a:7"]


def test_get_parameters_by_path_one_level_recursive_and_paged(ssm):
    for name in ("/svc/a", "/svc/b", "/svc/c", "/svc/deep/x", "/svc/deep/y/z", "/svcx", "/other/a"):
        ssm.put_parameter(Name=name, Value=name.upper(), Type="String")
    ssm.put_parameter(Name="/svc/s", Value="hidden", Type="SecureString")
    one = ssm.get_parameters_by_path(Path="/svc")["Parameters"]
    assert [p["Name"] for p in one] == ["/svc/a", "/svc/b", "/svc/c", "/svc/s"]
    assert ssm.get_parameters_by_path(Path="/svc/")["Parameters"] == one
    pages = list(
        ssm.get_paginator("get_parameters_by_path").paginate(
            Path="/svc", Recursive=True, WithDecryption=True, PaginationConfig={"PageSize": 2}
        )
    )
    assert all(len(p["Parameters"]) <= 2 for p in pages) and len(pages) == 3
    everything = {p["Name"]: p["Value"] for page in pages for p in page["Parameters"]}
    assert everything == {
        "/svc/a": "/SVC/A",
        "/svc/b": "/SVC/B",
        "/svc/c": "/SVC/C",
        "/svc/deep/x": "/SVC/DEEP/X",
        "/svc/deep/y/z": "/SVC/DEEP/Y/Z",
        "/svc/s": "hidden",
    }
    secure = ssm.get_parameters_by_path(
        Path="/svc",
        ParameterFilters=[{"Key": "Type", "Option": "Equals", "Values": ["SecureString"]}],
    )["Parameters"]
    assert [p["Name"] for p in secure] == ["/svc/s"]
    assert [p["Name"] for p in ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"]][
        :2
    ] == ["/other/a", "/svc/a"]
    with pytest.raises(ClientError) as err:
        ssm.get_parameters_by_path(Path="svc")
    assert aws_error(err)[0] == "ValidationException"
    assert aws_error(err)[1].startswith(
        "The parameter doesn't meet the parameter name "
        "requirements. The parameter name must begin with a "
        'forward slash "/".'
    )


def test_get_parameters_by_path_label_filter_returns_the_labelled_version(ssm):
    ssm.put_parameter(Name="/lab/x", Value="old", Type="String")
    ssm.put_parameter(Name="/lab/x", Value="new", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/lab/y", Value="y", Type="String")
    ssm.label_parameter_version(Name="/lab/x", ParameterVersion=1, Labels=["prod"])
    got = ssm.get_parameters_by_path(
        Path="/lab", ParameterFilters=[{"Key": "Label", "Option": "Equals", "Values": ["prod"]}]
    )["Parameters"]
    assert [(p["Name"], p["Value"], p["Version"]) for p in got] == [("/lab/x", "old", 1)]


def test_describe_parameters_filters_and_pages(ssm):
    ssm.put_parameter(Name="/d/one", Value="1", Type="String", Description="first")
    ssm.put_parameter(Name="/d/two", Value="2", Type="SecureString")
    ssm.put_parameter(
        Name="/d/sub/three",
        Value="3",
        Type="StringList",
        Tier="Advanced",
        Tags=[{"Key": "team", "Value": "web"}],
    )
    ssm.put_parameter(Name="top", Value="4", Type="String")
    every = [
        p
        for page in ssm.get_paginator("describe_parameters").paginate(
            PaginationConfig={"PageSize": 3}
        )
        for p in page["Parameters"]
    ]
    assert [p["Name"] for p in every] == ["/d/one", "/d/sub/three", "/d/two", "top"]
    first = every[0]
    assert (first["Type"], first["Description"], first["Version"], first["Tier"]) == (
        "String",
        "first",
        1,
        "Standard",
    )
    assert first["ARN"] == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/d/one"
    assert first["LastModifiedUser"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert "Tags" not in every[1] and "KeyId" not in first

    def names(**kw):
        return [p["Name"] for p in ssm.describe_parameters(**kw)["Parameters"]]

    assert names(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]) == ["/d/two"]
    assert names(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/d/t"]}]
    ) == ["/d/two"]
    assert names(ParameterFilters=[{"Key": "Name", "Values": ["top"]}]) == ["top"]
    assert names(ParameterFilters=[{"Key": "Path", "Values": ["/d"]}]) == ["/d/one", "/d/two"]
    assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/d"]}]) == [
        "/d/one",
        "/d/sub/three",
        "/d/two",
    ]
    assert names(ParameterFilters=[{"Key": "Tier", "Values": ["Advanced"]}]) == ["/d/sub/three"]
    assert names(ParameterFilters=[{"Key": "tag:team", "Values": ["web"]}]) == ["/d/sub/three"]
    assert names(Filters=[{"Key": "Type", "Values": ["StringList"]}]) == ["/d/sub/three"]
    with pytest.raises(ClientError) as err:
        ssm.describe_parameters(
            Filters=[{"Key": "Type", "Values": ["String"]}],
            ParameterFilters=[{"Key": "Type", "Values": ["String"]}],
        )
    assert aws_error(err) == (
        "ValidationException",
        ("You can use either Filters or ParameterFilters in a single request."),
    )


def test_delete_parameter_and_parameters(ssm, aws):
    ssm.put_parameter(Name="/del/a", Value="1", Type="String")
    ssm.put_parameter(Name="/del/a", Value="2", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/del/b", Value="1", Type="String")
    ssm.delete_parameter(Name="/del/a")
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="/del/a")
    assert aws_error(err)[0] == "ParameterNotFound"
    with pytest.raises(ClientError) as err:
        ssm.delete_parameter(Name="/del/a")
    assert aws_error(err)[0] == "ParameterNotFound"
    # Versions go with the parameter: a new one starts again at 1.
    assert ssm.put_parameter(Name="/del/a", Value="3", Type="String")["Version"] == 1
    out = ssm.delete_parameters(Names=["/del/a", "/del/b", "/del/nope"])
    assert (out["DeletedParameters"], out["InvalidParameters"]) == (
        ["/del/a", "/del/b"],
        ["/del/nope"],
    )
    failed = aws.run("ssm", "get-parameter", "--name", "/del/b", check=False)
    assert failed.returncode != 0 and "ParameterNotFound" in failed.stderr


@pytest.mark.parametrize(
    "name, code, message",
    [
        ("aws-thing", "ValidationException", NAME_RULES),
        ("/SSM/thing", "ValidationException", NAME_RULES),
        ("/has space", "ValidationException", NAME_RULES),
        ("/a//b", "ValidationException", NAME_RULES),
        (
            "no/leading/slash",
            "ValidationException",
            ("Parameter name must be a fully qualified name."),
        ),
        (
            "/" + "/".join("abcdefghijklmnop"),
            "HierarchyLevelLimitExceededException",
            (
                "A hierarchy can have a maximum of 15 levels. For more information, see Requirements "
                "and constraints for parameter names in the Amazon Web Services Systems Manager User "
                "Guide."
            ),
        ),
    ],
)
def test_name_rules(ssm, name, code, message):
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name=name, Value="v", Type="String")
    assert aws_error(err) == (code, message)


def test_fifteen_levels_are_allowed(ssm):
    name = "/" + "/".join("abcdefghijklmno")
    assert ssm.put_parameter(Name=name, Value="v", Type="String")["Version"] == 1


def test_reading_a_name_that_is_not_one(ssm):
    with pytest.raises(ClientError) as err:
        ssm.get_parameter(Name="test/some-config")
    assert aws_error(err) == ("ValidationException", NAME_RULES)


def test_tags_not_with_overwrite_and_the_tag_operations(ssm):
    ssm.put_parameter(Name="/t", Value="v", Type="String", Tags=[{"Key": "team", "Value": "web"}])
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(
            Name="/t", Value="w", Type="String", Overwrite=True, Tags=[{"Key": "x", "Value": "y"}]
        )
    assert aws_error(err) == (
        "ValidationException",
        (
            "Invalid request: tags and overwrite can't be used together. To create a parameter "
            "with tags, please remove overwrite flag. To update tags for an existing parameter, "
            "please use AddTagsToResource or RemoveTagsFromResource."
        ),
    )
    assert ssm.get_parameter(Name="/t")["Parameter"]["Value"] == "v"  # nothing changed
    ssm.add_tags_to_resource(
        ResourceType="Parameter",
        ResourceId="/t",
        Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "api"}],
    )
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "api")]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/t", TagKeys=["team"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"] == [
        {"Key": "env", "Value": "dev"}
    ]
    with pytest.raises(ClientError) as err:
        ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/nope")
    assert aws_error(err)[0] == "InvalidResourceId"


def test_tiers_and_value_sizes(ssm):
    big = "x" * 5000
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/big", Value=big, Type="String")
    code, message = aws_error(err)
    assert code == "ValidationException"
    assert message.startswith(
        "Standard tier parameters support a maximum parameter value of 4096 characters."
    )
    assert (
        ssm.put_parameter(Name="/big", Value=big, Type="String", Tier="Advanced")["Tier"]
        == "Advanced"
    )
    auto = ssm.put_parameter(Name="/auto", Value=big, Type="String", Tier="Intelligent-Tiering")
    assert auto["Tier"] == "Advanced"
    small = ssm.put_parameter(Name="/small", Value="x", Type="String", Tier="Intelligent-Tiering")
    assert small["Tier"] == "Standard"
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/big", Value="x", Overwrite=True, Tier="Standard")
    assert aws_error(err)[0] == "ValidationException"
    assert "can't downgrade" in aws_error(err)[1]
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/huge", Value="x" * 9000, Type="String", Tier="Advanced")
    assert aws_error(err)[0] == "ValidationException"


def test_allowed_pattern_and_data_type(ssm):
    ssm.put_parameter(Name="/port", Value="8080", Type="String", AllowedPattern=r"^\d+$")
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/port", Value="not-a-number-secretish", Overwrite=True)
    assert aws_error(err) == (
        "ParameterPatternMismatchException",
        r"Parameter value, cannot be validated against allowedPattern: ^\d+$",
    )
    with pytest.raises(ClientError) as err:
        ssm.put_parameter(Name="/dt", Value="v", Type="String", DataType="Text")
    assert aws_error(err) == (
        "ValidationException",
        ("The following data type is not supported: Text (Data type names are all lowercase.)"),
    )


def test_parameters_are_per_region(client):
    east, west = client("ssm", "us-east-1"), client("ssm", "eu-west-1")
    east.put_parameter(Name="/r", Value="east", Type="String")
    with pytest.raises(ClientError):
        west.get_parameter(Name="/r")
    west.put_parameter(Name="/r", Value="west", Type="String")
    assert (
        west.get_parameter(Name="/r")["Parameter"]["ARN"]
        == f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/r"
    )
    assert east.get_parameter(Name="/r")["Parameter"]["Value"] == "east"
    # An API call reads its own region, even given another region's ARN.
    with pytest.raises(ClientError) as err:
        east.get_parameter(Name=f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/r")
    assert aws_error(err)[0] == "ParameterNotFound"
