"""Blob garbage collection through a served daemon in fake time: once no manifest refers
to a blob any more (the manifest deleted over the distribution API, or the image through
the ECR API) and its grace has passed, the sweep that the delete asks for forgets the
blob and removes its file; a blob another repository's image still names stays."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from conftest import client_for
from regutil import Registry

from ecsd.core.clock import FakeClock
from ecsd.model.ecr import blobs, manifests


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _push(reg: Registry, repo: str, config: bytes, layers: list[bytes]) -> str:
    for data in (config, *layers):
        r = reg.http.post(
            f"{reg.url}/v2/{repo}/blobs/uploads/", params={"digest": sha(data)}, data=data
        )
        assert r.status_code == 201, r.text
    body = json.dumps(
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
    r = reg.http.put(
        f"{reg.url}/v2/{repo}/manifests/v1",
        data=body,
        headers={"Content-Type": manifests.OCI_MANIFEST},
    )
    assert r.status_code == 201, r.text
    return sha(body)


def _wait_gone(path: Path, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not path.exists()


def test_unreferenced_blobs_are_collected_shared_ones_stay(in_process: Any, tmp_path: Path) -> None:
    clock = FakeClock(start=time.time())
    server = in_process(clock=clock)
    reg = Registry(server, tmp_path / "docker-config")
    reg.create("gone")
    reg.create("kept")
    shared, own, config = b"shared layer", b"layer only 'gone' names", b'{"os":"linux"}'
    doomed = _push(reg, "gone", config, [shared, own])
    _push(reg, "kept", b'{"os":"linux","k":1}', [shared])
    files = {
        d: server.data_dir / "blobs" / "sha256" / d[7:9] / d[7:]
        for d in map(sha, (shared, own, config))
    }
    assert all(p.exists() for p in files.values())
    # Past the grace that spares the layers of a push whose manifest is not yet put.
    clock._now += blobs.GRACE + 60  # FakeClock has no public jump
    assert reg.http.delete(f"{reg.url}/v2/gone/manifests/{doomed}").status_code == 202
    assert _wait_gone(files[sha(own)]) and _wait_gone(files[sha(config)])
    assert reg.http.head(f"{reg.url}/v2/gone/blobs/{sha(own)}").status_code == 404
    # The layer the other repository's image names is still there, and served.
    assert files[sha(shared)].exists()
    got = reg.http.get(f"{reg.url}/v2/kept/blobs/{sha(shared)}")
    assert got.status_code == 200 and got.content == shared
    # Deleted through the ECR API instead (BatchDeleteImage): collected the same way.
    ecr = client_for(server, "ecr")
    out = ecr.batch_delete_image(repositoryName="kept", imageIds=[{"imageTag": "v1"}])
    assert out["failures"] == []
    assert _wait_gone(files[sha(shared)])
    assert reg.blob_files() == []
