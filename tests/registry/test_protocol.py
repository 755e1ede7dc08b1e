"""The distribution API over HTTP, against a real `ecsd serve`: uploads monolithic and in
chunks, Range reads, mounts, manifests verified (digest, blobs present), tag paging,
deletes, indexes; refusals store nothing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ecsd.model.ecr import manifests


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(reg: Any, repo: str, data: bytes) -> str:
    digest = sha(data)
    r = reg.http.post(f"{reg.url}/v2/{repo}/blobs/uploads/", params={"digest": digest}, data=data)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == digest
    return digest


def image_manifest(config: bytes, layers: list[bytes]) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": manifests.OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha(config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": sha(x),
                    "size": len(x),
                }
                for x in layers
            ],
        }
    ).encode()


def put_manifest(
    reg: Any, repo: str, ref: str, body: bytes, media: str = manifests.OCI_MANIFEST
) -> Any:
    return reg.http.put(
        f"{reg.url}/v2/{repo}/manifests/{ref}", data=body, headers={"Content-Type": media}
    )


def test_chunked_upload_with_ranges_then_range_reads(registry: Any) -> None:
    registry.create("chunks")
    data = bytes(range(256)) * 4096  # 1 MiB
    start = registry.http.post(f"{registry.url}/v2/chunks/blobs/uploads/")
    assert start.status_code == 202
    location = start.headers["Location"]
    assert start.headers["Docker-Upload-UUID"] in location and start.headers["Range"] == "0-0"
    first = registry.http.patch(
        registry.url + location,
        data=data[:600_000],
        headers={"Content-Range": "0-599999", "Content-Type": "application/octet-stream"},
    )
    assert first.status_code == 202 and first.headers["Range"] == "0-599999"
    # A chunk that does not start where the upload ends is refused; the upload stays.
    bad = registry.http.patch(registry.url + location, data=b"x", headers={"Content-Range": "5-5"})
    assert bad.status_code == 416
    status = registry.http.get(registry.url + first.headers["Location"])
    assert status.status_code == 204 and status.headers["Range"] == "0-599999"
    done = registry.http.put(
        registry.url + first.headers["Location"], params={"digest": sha(data)}, data=data[600_000:]
    )
    assert done.status_code == 201, done.text
    blob = f"{registry.url}/v2/chunks/blobs/{sha(data)}"
    head = registry.http.head(blob)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(data))
    assert registry.http.get(blob).content == data
    part = registry.http.get(blob, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"


def test_a_wrong_blob_digest_is_refused_and_nothing_stored(registry: Any) -> None:
    registry.create("wrong")
    r = registry.http.post(
        f"{registry.url}/v2/wrong/blobs/uploads/", params={"digest": sha(b"other")}, data=b"data"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "DIGEST_INVALID"
    assert registry.http.head(f"{registry.url}/v2/wrong/blobs/{sha(b'data')}").status_code == 404
    assert registry.blob_files() == []
    # The same in chunks: the closing PUT names a digest the bytes do not have.
    start = registry.http.post(f"{registry.url}/v2/wrong/blobs/uploads/")
    part = registry.http.patch(
        registry.url + start.headers["Location"], data=b"chunk", headers={"Content-Range": "0-4"}
    )
    assert part.status_code == 202
    done = registry.http.put(
        registry.url + part.headers["Location"], params={"digest": sha(b"other")}, data=b"s"
    )
    assert done.status_code == 400 and done.json()["errors"][0]["code"] == "DIGEST_INVALID"
    for data in (b"chunks", b"other"):
        assert registry.http.head(f"{registry.url}/v2/wrong/blobs/{sha(data)}").status_code == 404
    assert registry.blob_files() == []


def test_manifests_verified_tagged_listed_and_deleted(registry: Any) -> None:
    registry.create("app")
    config, layer = b'{"architecture":"amd64"}', b"layer-one"
    body = image_manifest(config, [layer])
    # Blobs not present: refused, nothing stored.
    r = put_manifest(registry, "app", "v1", body)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    push_blob(registry, "app", config)
    push_blob(registry, "app", layer)
    # A digest the bytes do not have: refused, nothing stored.
    r = put_manifest(registry, "app", sha(b"not it"), body)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "DIGEST_INVALID"
    assert registry.http.get(f"{registry.url}/v2/app/manifests/{sha(body)}").status_code == 404
    for tag in ("a", "b", "c"):
        r = put_manifest(registry, "app", tag, body)
        assert r.status_code == 201 and r.headers["Docker-Content-Digest"] == sha(body)
    got = registry.http.get(f"{registry.url}/v2/app/manifests/{sha(body)}")
    assert got.content == body and got.headers["Content-Type"] == manifests.OCI_MANIFEST
    page = registry.http.get(f"{registry.url}/v2/app/tags/list", params={"n": 2})
    assert page.json()["tags"] == ["a", "b"]
    assert page.headers["Link"] == '</v2/app/tags/list?n=2&last=b>; rel="next"'
    rest = registry.http.get(f"{registry.url}/v2/app/tags/list", params={"n": 2, "last": "b"})
    assert rest.json()["tags"] == ["c"] and "Link" not in rest.headers
    # An index naming the image.
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": manifests.OCI_INDEX,
            "manifests": [
                {"mediaType": manifests.OCI_MANIFEST, "digest": sha(body), "size": len(body)}
            ],
        }
    ).encode()
    assert put_manifest(registry, "app", "multi", index, manifests.OCI_INDEX).status_code == 201
    missing = registry.http.get(f"{registry.url}/v2/app/manifests/nope")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"
    # DELETE of a tag removes the tag; of a digest, the image and its tags.
    assert registry.http.delete(f"{registry.url}/v2/app/manifests/a").status_code == 202
    assert registry.http.delete(f"{registry.url}/v2/app/manifests/{sha(body)}").status_code == 202
    tags = registry.http.get(f"{registry.url}/v2/app/tags/list").json()["tags"]
    assert tags == ["multi"]


def test_mount_from_another_repository_and_unknown_names(registry: Any) -> None:
    registry.create("one")
    registry.create("two")
    digest = push_blob(registry, "one", b"shared layer")
    r = registry.http.post(
        f"{registry.url}/v2/two/blobs/uploads/", params={"mount": digest, "from": "one"}
    )
    assert r.status_code == 201 and r.headers["Location"] == f"/v2/two/blobs/{digest}"
    r = registry.http.post(
        f"{registry.url}/v2/two/blobs/uploads/", params={"mount": sha(b"absent"), "from": "one"}
    )
    assert r.status_code == 202  # not mountable: an upload starts instead
    r = registry.http.get(f"{registry.url}/v2/nothere/tags/list")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "NAME_UNKNOWN"
    r = registry.http.get(f"{registry.url}/v2/Bad_Name/tags/list")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "NAME_INVALID"


def test_one_registry_host_serves_every_region(registry: Any) -> None:
    # The tutorials' CLI is set to ap-northeast-1 while ecsd's default is us-east-1: the
    # URI carries no region, so the registry finds the repository where it lives.
    doc = registry.create("tokyo", region="ap-northeast-1")
    assert doc["repositoryUri"] == f"{registry.host}/tokyo"
    assert doc["repositoryArn"].startswith("arn:aws:ecr:ap-northeast-1:")
    config = b"{}"
    push_blob(registry, "tokyo", config)
    body = image_manifest(config, [])
    assert put_manifest(registry, "tokyo", "latest", body).status_code == 201
    assert registry.http.get(f"{registry.url}/v2/tokyo/tags/list").json()["tags"] == ["latest"]


def test_docker_schema_2_and_a_manifest_list_naming_it(registry: Any) -> None:
    registry.create("multi")
    config, layer = b'{"architecture":"arm64","os":"linux"}', b"arm layer"
    push_blob(registry, "multi", config)
    push_blob(registry, "multi", layer)
    image = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": manifests.DOCKER_MANIFEST,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "digest": sha(config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "digest": sha(layer),
                    "size": len(layer),
                }
            ],
        }
    ).encode()
    listing = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": manifests.DOCKER_LIST,
            "manifests": [
                {
                    "mediaType": manifests.DOCKER_MANIFEST,
                    "digest": sha(image),
                    "size": len(image),
                    "platform": {"architecture": "arm64", "os": "linux"},
                }
            ],
        }
    ).encode()
    # A list naming a manifest the repository does not hold: refused, nothing stored.
    r = put_manifest(registry, "multi", "v1", listing, manifests.DOCKER_LIST)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    assert registry.http.get(f"{registry.url}/v2/multi/tags/list").json()["tags"] == []
    r = put_manifest(registry, "multi", sha(image), image, manifests.DOCKER_MANIFEST)
    assert r.status_code == 201, r.text
    r = put_manifest(registry, "multi", "v1", listing, manifests.DOCKER_LIST)
    assert r.status_code == 201 and r.headers["Docker-Content-Digest"] == sha(listing)
    got = registry.http.get(
        f"{registry.url}/v2/multi/manifests/v1",
        headers={"Accept": f"{manifests.DOCKER_LIST}, {manifests.DOCKER_MANIFEST}"},
    )
    assert got.status_code == 200 and got.content == listing
    assert got.headers["Content-Type"] == manifests.DOCKER_LIST
    child = registry.http.get(f"{registry.url}/v2/multi/manifests/{sha(image)}")
    assert child.content == image and child.headers["Content-Type"] == manifests.DOCKER_MANIFEST
    # The ECR API sees the list as the tagged image, with its media type.
    detail = registry.describe("multi", "v1")
    assert detail["imageDigest"] == sha(listing)
    assert detail["imageManifestMediaType"] == manifests.DOCKER_LIST
