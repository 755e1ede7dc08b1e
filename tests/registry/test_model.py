"""ECR's model on a real store: repositories, pushes of manifests that must name present
blobs, tags under mutability, deletes, garbage collection, uploads and passwords."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ecsd.aws.errors import AwsError
from ecsd.config import Settings
from ecsd.core.clock import FakeClock
from ecsd.core.unit import Unit
from ecsd.model.ecr import blobs, images, manifests, repositories, storage, tokens, uploads
from ecsd.registry import gc
from ecsd.registry.transfer import GcLock
from ecsd.store import Store
from ecsd.store.schema import metadata  # noqa: F401  (tables registered)

T = TypeVar("T")


class World:
    def __init__(self, tmp: Path) -> None:
        self.settings = Settings(data_dir=tmp, port=4600)
        tmp.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.settings.database)
        self.clock = FakeClock(1_700_000_000.0)

    def run(self, fn: Callable[[Unit], T]) -> T:
        def body(conn: Any) -> T:
            return fn(Unit(conn, "us-east-1", "000000000000", self.settings, clock=self.clock))

        return self.store.write_sync(body)

    def blob(self, data: bytes) -> str:
        digest, size = storage.write_blob(self.settings.data_dir, data)
        self.run(lambda u: blobs.record(u, digest, size))
        return digest


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path / "data")
    yield w
    w.store.close()


def manifest(config: str, layers: list[tuple[str, int]]) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": manifests.DOCKER_MANIFEST,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "digest": config,
                "size": 10,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "digest": d,
                    "size": s,
                }
                for d, s in layers
            ],
        }
    ).encode()


def test_repository_uri_arn_and_listing(world: World) -> None:
    doc = world.run(lambda u: repositories.create(u, "team/web", mutability="IMMUTABLE"))
    assert doc["repositoryUri"] == "127.0.0.1:4600/team/web"
    assert doc["repositoryArn"] == "arn:aws:ecr:us-east-1:000000000000:repository/team/web"
    with pytest.raises(AwsError) as err:
        world.run(lambda u: repositories.create(u, "team/web"))
    assert err.value.code == "RepositoryAlreadyExistsException"
    assert (
        repositories.local_image(world.settings, "000000000000.dkr.ecr.us-east-1.amazonaws.com/x:1")
        == "127.0.0.1:4600/x:1"
    )
    assert (
        repositories.local_image(world.settings, "111111111111.dkr.ecr.us-east-1.amazonaws.com/x")
        is None
    )
    assert repositories.local_image(world.settings, "busybox") is None


def test_a_push_needs_its_blobs_and_a_true_digest(world: World) -> None:
    world.run(lambda u: repositories.create(u, "app"))
    config = world.blob(b"{}")
    layer = hashlib.sha256(b"absent").hexdigest()
    body = manifest(config, [("sha256:" + layer, 5)])
    with pytest.raises(AwsError) as err:
        world.run(lambda u: images.put_manifest(u, "app", body, tag="v1"))
    assert err.value.code == "LayersNotFoundException"
    with pytest.raises(AwsError) as err:
        world.run(lambda u: images.put_manifest(u, "app", body, digest="sha256:" + "0" * 64))
    assert err.value.code == "ImageDigestDoesNotMatchException"
    assert world.run(lambda u: images.count(u, "app")) == 0

    real = world.blob(b"layer-bytes")
    body = manifest(config, [(real, 11)])
    out = world.run(lambda u: images.put_manifest(u, "app", body, tag="v1"))
    assert out["digest"] == images.digest_of(body) and out["size"] == 21
    got = world.run(lambda u: images.get_manifest(u, "app", "v1"))
    assert got == (body, manifests.DOCKER_MANIFEST, out["digest"])
    row = world.run(lambda u: images.by_digest(u, "app", out["digest"]))
    detail = world.run(lambda u: images.describe(u, row))
    assert detail["imageTags"] == ["v1"] and detail["lastRecordedPullTime"] == world.clock.time()
    assert detail["artifactMediaType"] == "application/vnd.docker.container.image.v1+json"


def test_immutable_tags_untag_delete_and_gc(world: World) -> None:
    world.run(lambda u: repositories.create(u, "imm", mutability="IMMUTABLE"))
    config = world.blob(b"{}")
    a = manifest(config, [(world.blob(b"a"), 1)])
    b = manifest(config, [(world.blob(b"b"), 1)])
    world.run(lambda u: images.put_manifest(u, "imm", a, tag="v1"))
    with pytest.raises(AwsError) as err:
        world.run(lambda u: images.put_manifest(u, "imm", b, tag="v1"))
    assert err.value.code == "ImageTagAlreadyExistsException"
    assert world.run(lambda u: images.count(u, "imm")) == 1
    with pytest.raises(AwsError) as err:
        world.run(lambda u: repositories.delete(u, "imm"))
    assert err.value.code == "RepositoryNotEmptyException"
    # A fresh unreferenced blob is spared (a push in progress); past the grace it goes.
    assert world.run(lambda u: blobs.collect(u)) == []
    assert world.run(lambda u: blobs.collect(u, grace=-1)) == [sha(b"b")]
    deleted = world.run(lambda u: images.delete(u, "imm", tag="v1"))
    assert deleted["imageDigest"] == images.digest_of(a)
    assert world.run(lambda u: images.count(u, "imm")) == 0
    assert sorted(world.run(lambda u: blobs.collect(u, grace=-1))) == sorted([config, sha(b"a")])
    world.run(lambda u: repositories.delete(u, "imm"))


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_uploads_verify_digests(world: World) -> None:
    world.run(lambda u: repositories.create(u, "up"))
    uid = world.run(lambda u: uploads.start(u, "up"))
    world.run(lambda u: uploads.append(u, "up", uid, b"hello ", 0))
    with pytest.raises(AwsError):
        world.run(lambda u: uploads.append(u, "up", uid, b"x", 0))
    world.run(lambda u: uploads.append(u, "up", uid, b"world", 6))
    digest = "sha256:" + hashlib.sha256(b"hello world").hexdigest()
    uid2 = world.run(lambda u: uploads.start(u, "up"))
    world.run(lambda u: uploads.append(u, "up", uid2, b"nope"))
    with pytest.raises(AwsError) as err:
        world.run(lambda u: uploads.complete(u, "up", uid2, digest))
    assert err.value.code == "InvalidLayerException"
    assert world.run(lambda u: blobs.size(u, digest)) is None
    assert world.run(lambda u: uploads.complete(u, "up", uid, digest)) == (digest, 11)
    assert world.run(lambda u: blobs.size(u, digest)) == 11
    assert storage.blob_path(world.settings.data_dir, digest).read_bytes() == b"hello world"


def test_passwords_expire_and_are_bound_to_the_data_dir(world: World, tmp_path: Path) -> None:
    password, expires = world.run(tokens.mint)
    now = world.clock.time()
    assert expires == now + 12 * 3600
    assert tokens.verify(world.settings, password, now)
    assert not tokens.verify(world.settings, password, expires + 1)
    assert not tokens.verify(world.settings, password[:-2] + "xx", now)
    assert not tokens.verify(Settings(data_dir=tmp_path / "other"), password, now)


def test_download_tokens_name_one_blob_and_expire(world: World) -> None:
    digest = "sha256:" + "a" * 64
    token = world.run(lambda unit: tokens.mint_download(unit, "repo", digest))
    now = world.clock.time()
    assert tokens.verify_download(world.settings, token, "repo", digest, now)
    assert not tokens.verify_download(world.settings, token, "repo", digest, now + 3601)
    assert not tokens.verify_download(world.settings, token, "other", digest, now)
    assert not tokens.verify_download(world.settings, token, "repo", "sha256:" + "b" * 64, now)
    # Neither a password for a download token nor a download token for a password.
    password, _ = world.run(tokens.mint)
    assert not tokens.verify_download(world.settings, password, "repo", digest, now)
    assert not tokens.verify(world.settings, token, now)


def test_the_sweep_removes_unreferenced_blobs_and_orphan_files(world: World) -> None:
    world.run(lambda u: repositories.create(u, "gc"))
    config = world.blob(b"{}")
    layer = world.blob(b"kept layer")
    loose = world.blob(b"nobody refers to me")
    world.run(lambda u: images.put_manifest(u, "gc", manifest(config, [(layer, 1)]), tag="v1"))
    data = world.settings.data_dir
    orphan, _ = storage.write_blob(data, b"a file without a row")  # a crash after rename
    old = 1_000_000_000
    os.utime(storage.blob_path(data, orphan), (old, old))
    storage.create_upload(data, "0" * 32)  # an upload file without a row
    os.utime(storage.upload_path(data, "0" * 32), (old, old))

    async def run(fn: Callable[[Unit], Any], write: bool = True) -> Any:
        return world.run(fn)

    collector = gc.Collector(run, world.settings, GcLock())
    assert asyncio.run(collector.sweep(grace=-1)) == [loose]
    assert not storage.blob_path(data, loose).exists()
    assert not storage.blob_path(data, orphan).exists()
    assert storage.upload_ids(data) == []
    assert storage.blob_path(data, layer).exists() and storage.blob_path(data, config).exists()


def test_registry_host_is_what_docker_reaches_over_plain_http() -> None:
    assert repositories.registry_host(Settings(host="0.0.0.0", port=1)) == "127.0.0.1:1"
    assert repositories.registry_host(Settings(host="localhost", port=2)) == "127.0.0.1:2"
    assert repositories.registry_host(Settings(host="::1", port=3)) == "127.0.0.1:3"
    assert repositories.registry_host(Settings(host="192.168.1.5", port=4)) == "192.168.1.5:4"
    settings = Settings(port=4600)
    for image in ("localhost:4600/app:1", "127.0.0.1:4600/app:1"):
        assert repositories.local_image(settings, image) == "127.0.0.1:4600/app:1"
    assert repositories.local_image(settings, "127.0.0.1:4601/app:1") is None
    aws = "000000000000.dkr.ecr.ap-northeast-1.amazonaws.com/team/app@sha256:" + "a" * 64
    assert repositories.local_image(settings, aws) == "127.0.0.1:4600/team/app@sha256:" + "a" * 64
