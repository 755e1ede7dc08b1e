"""imageDigest and the pin of a deployment: the registry digest where the image has one
(as repo@digest, without the tag), else the immutable image ID."""

from __future__ import annotations

from ecsd.controllers.tasks.images import digest, pin
from ecsd.runtime.base import ImageInfo

D = "sha256:" + "a" * 64
ID = "sha256:" + "b" * 64


def test_a_registry_image_pins_its_digest():
    info = ImageInfo(ref="127.0.0.1:5000/team/app:v1", id=ID, digest=D)
    assert digest(info) == D
    assert pin(info) == f"127.0.0.1:5000/team/app@{D}"


def test_a_local_image_pins_its_id():
    info = ImageInfo(ref="ecsd-test/busybox:latest", id=ID, digest=None)
    assert digest(info) == ID and pin(info) == ID


def test_a_reference_by_digest_stays_one():
    info = ImageInfo(ref=f"app@{D}", id=ID, digest=D)
    assert pin(info) == f"app@{D}"
