"""Crash safety: an upload cut by `kill -9` of ecsd leaves no blob (no row, no file
where a reader looks) and no image; what was acknowledged before survives; the restarted
daemon serves cleanly and the cut upload resumes from the bytes on disk."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from pathlib import Path
from typing import Any

from regutil import Registry


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_kill_9_mid_upload_leaves_nothing_visible(ecsd_factory: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ecsd_factory(data_dir=data_dir)
    reg = Registry(server, tmp_path / "docker-config")
    reg.create("crash")
    kept = b"acknowledged before the crash"
    r = reg.http.post(f"{reg.url}/v2/crash/blobs/uploads/", params={"digest": sha(kept)}, data=kept)
    assert r.status_code == 201
    start = reg.http.post(f"{reg.url}/v2/crash/blobs/uploads/")
    location = start.headers["Location"]
    upload_id = start.headers["Docker-Upload-UUID"]
    # Half of a 64 MiB body sent by hand, then ecsd is killed while it reads the rest.
    body = b"\x5a" * (64 * 1024 * 1024)
    digest = sha(body)
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        auth = reg.http.auth
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        s.sendall(
            (
                f"PUT {location}?digest={digest} HTTP/1.1\r\nHost: {reg.host}\r\n"
                f"Authorization: Basic {token}\r\nContent-Length: {len(body)}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
        )
        s.sendall(body[: len(body) // 2])
        time.sleep(0.5)
        server.kill9()
    restarted = ecsd_factory(data_dir=data_dir, port=server.port)
    again = Registry(restarted, tmp_path / "docker-config-2")
    assert again.http.head(f"{again.url}/v2/crash/blobs/{digest}").status_code == 404
    assert not (data_dir / "blobs" / "sha256" / digest[7:9] / digest[7:]).exists()
    got = again.http.get(f"{again.url}/v2/crash/blobs/{sha(kept)}")
    assert got.status_code == 200 and got.content == kept
    assert again.http.get(f"{again.url}/v2/crash/tags/list").json()["tags"] == []
    # The interrupted upload can be resumed where the bytes on disk end, or abandoned.
    status = again.http.get(f"{again.url}{location}")
    assert status.status_code == 204
    received = (
        int(status.headers["Range"].split("-")[1]) + 1 if status.headers["Range"] != "0-0" else 0
    )
    assert received <= len(body) // 2
    done = again.http.put(f"{again.url}{location}", params={"digest": digest}, data=body[received:])
    assert done.status_code == 201, done.text
    assert again.http.head(f"{again.url}/v2/crash/blobs/{digest}").headers["Content-Length"] == str(
        len(body)
    )
    assert upload_id not in [p.name for p in (data_dir / "uploads").iterdir()]
