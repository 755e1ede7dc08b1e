"""ECR images and layers through boto3 and the aws CLI against a real `ecsd serve`:
layers uploaded with InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload, images
put with PutImage, then DescribeImages / ListImages / BatchGetImage / BatchDeleteImage,
immutable tags, paging and the per-image failures; GetAuthorizationToken."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import aws_error

ACCOUNT = "000000000000"
MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG = "application/vnd.docker.container.image.v1+json"
LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def ecr(client):
    return client("ecr")


def upload(ecr, repo: str, data: bytes, parts: int = 2) -> str:
    """A blob through the API's layer upload, in `parts` parts."""
    digest = sha(data)
    check = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[digest])
    if check["layers"]:
        return digest
    up = ecr.initiate_layer_upload(repositoryName=repo)
    assert up["partSize"] > 0
    step = max(1, -(-len(data) // parts))
    for first in range(0, len(data), step):
        chunk = data[first : first + step]
        out = ecr.upload_layer_part(
            repositoryName=repo,
            uploadId=up["uploadId"],
            partFirstByte=first,
            partLastByte=first + len(chunk) - 1,
            layerPartBlob=chunk,
        )
        assert out["lastByteReceived"] == first + len(chunk) - 1
    done = ecr.complete_layer_upload(
        repositoryName=repo, uploadId=up["uploadId"], layerDigests=[digest]
    )
    assert done["layerDigest"] == digest
    return digest


def push(ecr, repo: str, seed: str, tag: str | None = None) -> tuple[str, int]:
    """An image (one config, one layer) made from `seed`: (its digest, its size)."""
    config = json.dumps({"architecture": "amd64", "os": "linux", "seed": seed}).encode()
    layer = (seed * 300).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": {
                "mediaType": CONFIG,
                "size": len(config),
                "digest": upload(ecr, repo, config),
            },
            "layers": [
                {"mediaType": LAYER, "size": len(layer), "digest": upload(ecr, repo, layer)}
            ],
        }
    )
    kw = {"imageTag": tag} if tag else {}
    image = ecr.put_image(repositoryName=repo, imageManifest=manifest, **kw)["image"]
    assert image["imageId"]["imageDigest"] == sha(manifest.encode())
    return image["imageId"]["imageDigest"], len(config) + len(layer)


def test_pushed_images_are_described(ecr):
    ecr.create_repository(repositoryName="app")
    d1, size1 = push(ecr, "app", "one", "v1")
    d2, _ = push(ecr, "app", "two")
    details = {
        d["imageDigest"]: d for d in ecr.describe_images(repositoryName="app")["imageDetails"]
    }
    assert set(details) == {d1, d2}
    one = details[d1]
    assert one["imageTags"] == ["v1"]
    assert one["imageSizeInBytes"] == size1
    assert one["imageManifestMediaType"] == MANIFEST
    assert one["artifactMediaType"] == CONFIG
    assert one["registryId"] == ACCOUNT and one["repositoryName"] == "app"
    now = datetime.datetime.now(datetime.UTC)
    assert abs((now - one["imagePushedAt"]).total_seconds()) < 60
    assert "imageTags" not in details[d2]
    tagged = ecr.describe_images(repositoryName="app", filter={"tagStatus": "TAGGED"})
    assert [d["imageDigest"] for d in tagged["imageDetails"]] == [d1]
    untagged = ecr.list_images(repositoryName="app", filter={"tagStatus": "UNTAGGED"})
    assert untagged["imageIds"] == [{"imageDigest": d2}]
    by_tag = ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    assert [d["imageDigest"] for d in by_tag["imageDetails"]] == [d1]
    with pytest.raises(ClientError) as err:
        ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "nope"}])
    assert aws_error(err) == (
        "ImageNotFoundException",
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within "
        f"the repository with name 'app' in the registry with id '{ACCOUNT}'",
    )
    with pytest.raises(ClientError) as err:
        ecr.describe_images(repositoryName="nope")
    assert aws_error(err)[0] == "RepositoryNotFoundException"


def test_put_image_rules(ecr):
    ecr.create_repository(repositoryName="imm", imageTagMutability="IMMUTABLE")
    d1, _ = push(ecr, "imm", "a", "v1")
    with pytest.raises(ClientError) as err:
        push(ecr, "imm", "b", "v1")
    assert aws_error(err)[0] == "ImageTagAlreadyExistsException"
    assert "v1" in aws_error(err)[1]
    # Refused: nothing new is listed (the b image is not stored).
    assert [i["imageDigest"] for i in ecr.list_images(repositoryName="imm")["imageIds"]] == [d1]
    with pytest.raises(ClientError) as err:
        push(ecr, "imm", "a", "v1")
    assert aws_error(err) == (
        "ImageAlreadyExistsException",
        f"Image with digest '{d1}' and tag 'v1' already exists in the repository with name "
        f"'imm' in registry with id '{ACCOUNT}'",
    )
    push(ecr, "imm", "a", "v1-alias")  # a new tag for the same image is fine
    ids = ecr.list_images(repositoryName="imm")["imageIds"]
    assert sorted(i["imageTag"] for i in ids) == ["v1", "v1-alias"]
    ecr.create_repository(
        repositoryName="excl",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest"}],
    )
    push(ecr, "excl", "a", "latest")
    push(ecr, "excl", "b", "latest")  # excluded: mutable
    push(ecr, "excl", "a", "v1")
    with pytest.raises(ClientError) as err:
        push(ecr, "excl", "b", "v1")
    assert aws_error(err)[0] == "ImageTagAlreadyExistsException"
    config = b'{"x": 1}'
    missing = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": {"mediaType": CONFIG, "size": len(config), "digest": sha(config)},
            "layers": [],
        }
    )
    with pytest.raises(ClientError) as err:
        ecr.put_image(repositoryName="excl", imageManifest=missing, imageTag="z")
    assert aws_error(err)[0] == "LayersNotFoundException"


def test_batch_get_and_delete(ecr):
    ecr.create_repository(repositoryName="bb")
    d1, _ = push(ecr, "bb", "one", "v1")
    d2, _ = push(ecr, "bb", "two", "v2")
    got = ecr.batch_get_image(
        repositoryName="bb",
        imageIds=[{"imageTag": "v1"}, {"imageTag": "gone"}, {"imageDigest": "bad"}],
    )
    assert [i["imageId"] for i in got["images"]] == [{"imageDigest": d1, "imageTag": "v1"}]
    assert json.loads(got["images"][0]["imageManifest"])["mediaType"] == MANIFEST
    assert [f["failureCode"] for f in got["failures"]] == ["ImageNotFound", "InvalidImageDigest"]
    assert got["failures"][0]["failureReason"] == "Requested image not found"
    pulled = ecr.describe_images(repositoryName="bb", imageIds=[{"imageDigest": d1}])
    assert "lastRecordedPullTime" in pulled["imageDetails"][0]
    only_oci = ecr.batch_get_image(
        repositoryName="bb",
        imageIds=[{"imageDigest": d1}],
        acceptedMediaTypes=["application/vnd.oci.image.manifest.v1+json"],
    )
    assert only_oci["images"] == [] and len(only_oci["failures"]) == 1

    out = ecr.batch_delete_image(
        repositoryName="bb",
        imageIds=[
            {"imageTag": "v1"},
            {"imageDigest": d2, "imageTag": "v1"},
            {"imageTag": "nope"},
            {},
        ],
    )
    assert out["imageIds"] == [{"imageDigest": d1, "imageTag": "v1"}]
    assert [f["failureCode"] for f in out["failures"]] == [
        "ImageNotFound",
        "ImageNotFound",
        "MissingDigestAndTag",
    ]
    out = ecr.batch_delete_image(repositoryName="bb", imageIds=[{"imageDigest": d2}])
    assert out["imageIds"] == [{"imageDigest": d2}] and out["failures"] == []
    assert ecr.list_images(repositoryName="bb")["imageIds"] == []


def test_delete_repository_needs_force_when_it_has_images(ecr):
    ecr.create_repository(repositoryName="full")
    digest, _ = push(ecr, "full", "x", "v1")
    with pytest.raises(ClientError) as err:
        ecr.delete_repository(repositoryName="full")
    assert aws_error(err) == (
        "RepositoryNotEmptyException",
        f"The repository with name 'full' in registry with id '{ACCOUNT}' cannot be deleted "
        "because it still contains images",
    )
    assert ecr.list_images(repositoryName="full")["imageIds"] == [
        {"imageDigest": digest, "imageTag": "v1"}
    ]
    ecr.delete_repository(repositoryName="full", force=True)
    assert ecr.describe_repositories()["repositories"] == []


def test_image_paging(ecr):
    ecr.create_repository(repositoryName="many")
    digests = sorted(push(ecr, "many", f"s{i}", f"t{i}")[0] for i in range(5))
    pages = list(
        ecr.get_paginator("describe_images").paginate(
            repositoryName="many", PaginationConfig={"PageSize": 2}
        )
    )
    assert len(pages) == 3
    assert [d["imageDigest"] for p in pages for d in p["imageDetails"]] == digests
    listed = list(
        ecr.get_paginator("list_images").paginate(
            repositoryName="many", PaginationConfig={"PageSize": 2}
        )
    )
    assert sorted(i["imageDigest"] for p in listed for i in p["imageIds"]) == digests


def test_layers(ecr, ecsd):
    ecr.create_repository(repositoryName="lay")
    digest = upload(ecr, "lay", b"layer bytes " * 100, parts=3)
    check = ecr.batch_check_layer_availability(
        repositoryName="lay", layerDigests=[digest, sha(b"absent"), "junk"]
    )
    assert check["layers"] == [
        {"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": 1200}
    ]
    assert [f["failureCode"] for f in check["failures"]] == [
        "MissingLayerDigest",
        "InvalidLayerDigest",
    ]
    url = ecr.get_download_url_for_layer(repositoryName="lay", layerDigest=digest)
    host = ecsd.url.removeprefix("http://")
    blob = f"http://{host}/v2/lay/blobs/{digest}"
    assert url["downloadUrl"].startswith(blob + "?")
    # Pre-signed, as AWS's S3 URL: any HTTP client fetches it without credentials ...
    got = requests.get(url["downloadUrl"], timeout=10)
    assert got.status_code == 200 and got.content == b"layer bytes " * 100
    # ... that one blob of that one repository only; without the token, 401.
    query = url["downloadUrl"].split("?", 1)[1]
    ecr.create_repository(repositoryName="lay2")
    other = upload(ecr, "lay2", b"other layer")
    assert requests.get(f"http://{host}/v2/lay/blobs/{other}?{query}").status_code == 401
    assert requests.get(f"http://{host}/v2/lay2/blobs/{digest}?{query}").status_code == 401
    assert requests.get(blob, timeout=10).status_code == 401
    with pytest.raises(ClientError) as err:
        ecr.get_download_url_for_layer(repositoryName="lay", layerDigest=sha(b"absent"))
    assert aws_error(err)[0] == "LayersNotFoundException"
    up = ecr.initiate_layer_upload(repositoryName="lay")["uploadId"]
    with pytest.raises(ClientError) as err:
        ecr.upload_layer_part(
            repositoryName="lay", uploadId=up, partFirstByte=5, partLastByte=6, layerPartBlob=b"ab"
        )
    assert aws_error(err)[0] == "InvalidLayerPartException"
    with pytest.raises(ClientError) as err:
        ecr.complete_layer_upload(repositoryName="lay", uploadId=up, layerDigests=[digest])
    assert aws_error(err)[0] == "EmptyUploadException"
    ecr.upload_layer_part(
        repositoryName="lay", uploadId=up, partFirstByte=0, partLastByte=1, layerPartBlob=b"ab"
    )
    with pytest.raises(ClientError) as err:
        ecr.complete_layer_upload(repositoryName="lay", uploadId=up, layerDigests=[sha(b"xy")])
    assert aws_error(err)[0] == "InvalidLayerException"
    with pytest.raises(ClientError) as err:
        ecr.upload_layer_part(
            repositoryName="lay",
            uploadId="00000000-0000-0000-0000-000000000000",
            partFirstByte=0,
            partLastByte=0,
            layerPartBlob=b"a",
        )
    assert aws_error(err)[0] == "UploadNotFoundException"


def test_authorization_token(ecr, ecsd, aws):
    data = ecr.get_authorization_token()["authorizationData"]
    assert len(data) == 1
    user, _, password = base64.b64decode(data[0]["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and len(password) > 20
    host = ecsd.url.removeprefix("http://")
    assert data[0]["proxyEndpoint"] == f"http://{host}"
    left = data[0]["expiresAt"] - datetime.datetime.now(datetime.UTC)
    assert 11.9 * 3600 < left.total_seconds() <= 12 * 3600
    printed = aws.run("ecr", "get-login-password").stdout.strip()
    assert len(printed) > 20 and ":" not in printed
