"""ecsd's registry next to the CNCF distribution registry (Debian's `docker-registry`),
push and pull of the same locally built image with the real docker CLI, in one run; and
ecsd's resident memory while a 1 GB layer is pushed.

    .venv/bin/python bench/registry.py                 # ~200 MB image, 1 GB layer
    .venv/bin/python bench/registry.py --layer-mb 25 --big-mb 256   # a quicker look

The image is built here FROM ecsd-test/busybox with LAYERS layers of random bytes (no
Docker Hub). Both registries run on loopback with their data in a temp dir; each push
goes to an empty registry, each pull starts with the image absent from the engine, and
the two registries alternate. Throughput is the image's layer bytes over the wall time
of `docker push` / `docker pull`; the ratios are ecsd over distribution (target ≥ 0.8
each way). Memory: ecsd's VmRSS sampled every 50 ms while one 1 GB blob is pushed over
HTTP in a single streamed request (target: flat, i.e. peak minus baseline a few MB).

It exits 0 whether or not the targets are met (it is a measurement), 1 if a push or pull
failed. Needs `docker-registry` (apt-get install -y docker-registry).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
from server_process import EcsdProcess, free_port, stop_process  # noqa: E402

BASE_IMAGE = "ecsd-test/busybox:latest"


def sh(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(args, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {out.stdout}{out.stderr}")
    return out


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _ecr(server: EcsdProcess) -> Any:
    import boto3

    return boto3.client(
        "ecr",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def ecsd_password(server: EcsdProcess) -> str:
    """The registry password, as `aws ecr get-login-password` prints it."""
    token = _ecr(server).get_authorization_token()["authorizationData"][0]
    return base64.b64decode(token["authorizationToken"]).decode().split(":", 1)[1]


def ecsd_login(server: EcsdProcess) -> tuple[str, str]:
    """(repository URI, password) through the ECR API, as seed 004 does."""
    uri = _ecr(server).create_repository(repositoryName="bench")["repository"]["repositoryUri"]
    return uri, ecsd_password(server)


class Distribution:
    """Debian's docker-registry (CNCF distribution) on a loopback port, no auth; `fresh`
    restarts it on an empty storage dir."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("docker-registry")
        if binary is None:
            raise SystemExit("docker-registry is missing: apt-get install -y docker-registry")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.generation = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = open(workdir / "distribution.log", "ab")
        self.fresh()

    def fresh(self) -> None:
        self.stop_process()
        self.generation += 1
        config = self.workdir / "distribution.yml"
        config.write_text(
            json.dumps(
                {
                    "version": 0.1,
                    "log": {"level": "error"},
                    "storage": {
                        "filesystem": {
                            "rootdirectory": str(self.workdir / f"dist-data-{self.generation}")
                        }
                    },
                    "http": {"addr": f"127.0.0.1:{self.port}"},
                }
            )
        )
        self.proc = subprocess.Popen(
            [self.binary, "serve", str(config)], stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v2/", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("docker-registry did not start")

    def stop_process(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def stop(self) -> None:
        self.stop_process()
        self.log.close()


def build(workdir: Path, layers: int, layer_mb: int) -> tuple[str, int]:
    context = workdir / "ctx"
    context.mkdir()
    lines = [f"FROM {BASE_IMAGE}", f"RUN echo {uuid.uuid4().hex} > /id"]
    lines += [
        f"RUN head -c {layer_mb * 1024 * 1024} /dev/urandom > /layer{i}" for i in range(layers)
    ]
    (context / "Dockerfile").write_text("\n".join(lines) + "\n")
    tag = f"ecsd-bench/registry:{uuid.uuid4().hex[:8]}"
    sh("docker", "build", "-q", "-t", tag, str(context), env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return tag, layers * layer_mb * 1024 * 1024


def timed(*args: str) -> float:
    start = time.perf_counter()
    sh(*args)
    return time.perf_counter() - start


def image_bench(args: argparse.Namespace, workdir: Path, ecsd: EcsdProcess) -> dict[str, Any]:
    """Rounds of: push to both (each registry empty), then pull from both (the image
    absent from the engine); the registry that goes first alternates."""
    config = workdir / "docker-config"
    dist = Distribution(workdir)
    source, nbytes = build(workdir, args.layers, args.layer_mb)
    out: dict[str, Any] = {"bytes": nbytes, "rounds": args.rounds}
    targets: dict[str, str] = {}
    try:
        for round_ in range(args.rounds):
            ecsd.reset()
            dist.fresh()
            uri, password = ecsd_login(ecsd)
            sh(
                "docker",
                "--config",
                str(config),
                "login",
                "--username",
                "AWS",
                "--password-stdin",
                uri.split("/", 1)[0],
                input=password,
            )
            targets = {"ecsd": f"{uri}:1", "distribution": f"127.0.0.1:{dist.port}/bench:1"}
            order = list(targets) if round_ % 2 == 0 else list(reversed(targets))
            for ref in targets.values():
                sh("docker", "tag", source, ref)
            for name in order:
                took = timed("docker", "--config", str(config), "push", targets[name])
                out[f"push {name}"] = out.get(f"push {name}", 0.0) + took
            sh("docker", "rmi", source, *targets.values())
            for name in order:
                took = timed("docker", "--config", str(config), "pull", targets[name])
                out[f"pull {name}"] = out.get(f"pull {name}", 0.0) + took
                if name != order[-1]:
                    sh("docker", "rmi", targets[name])
            sh("docker", "tag", targets[order[-1]], source)
            sh("docker", "rmi", targets[order[-1]])
    finally:
        subprocess.run(["docker", "rmi", source, *targets.values()], capture_output=True)
        dist.stop()
    return out


def memory_bench(args: argparse.Namespace, ecsd: EcsdProcess, pid: int) -> dict[str, Any]:
    name, password = "bench", ecsd_password(ecsd)  # the repository the last round made
    chunk = os.urandom(1024 * 1024)
    total = args.big_mb
    digest = hashlib.sha256()
    for _ in range(total):
        digest.update(chunk)
    auth = "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()
    url = f"{ecsd.url}/v2/{name}/blobs/uploads/?digest=sha256:{digest.hexdigest()}"
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_kb(pid))
            time.sleep(0.05)

    baseline = rss_kb(pid)
    sampler = threading.Thread(target=sample)
    sampler.start()

    def body() -> Any:
        for _ in range(total):
            yield chunk

    start = time.perf_counter()
    req = urllib.request.Request(
        url,
        data=body(),
        method="POST",
        headers={
            "Authorization": auth,
            "Content-Type": "application/octet-stream",
            "Content-Length": str(total * len(chunk)),
        },
    )
    with urllib.request.urlopen(req, timeout=600) as resp:
        status = resp.status
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "status": status,
        "mb": total,
        "seconds": elapsed,
        "rss_baseline_mb": baseline / 1024,
        "rss_peak_mb": max(samples, default=baseline) / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--layer-mb", type=int, default=50)
    parser.add_argument("--big-mb", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ecsd-bench-registry-") as tmp:
        workdir = Path(tmp)
        ecsd = EcsdProcess(workdir / "ecsd-data", None, "--log-level", "WARNING").start()
        try:
            assert ecsd.proc is not None
            images = image_bench(args, workdir, ecsd)
            memory = memory_bench(args, ecsd, ecsd.proc.pid)
        finally:
            ecsd.stop()
    mb = images["bytes"] * images["rounds"] / 1e6
    print(
        f"image: {args.layers} layers x {args.layer_mb} MiB of random data, "
        f"{images['rounds']} rounds ({mb:.0f} MB each way per registry)"
    )
    for way in ("push", "pull"):
        e, d = images[f"{way} ecsd"], images[f"{way} distribution"]
        print(
            f"{way}: ecsd {mb / e:7.1f} MB/s ({e:5.2f} s)   distribution {mb / d:7.1f} MB/s "
            f"({d:5.2f} s)   ratio {d / e:4.2f}x (target >= 0.8)"
        )
    grow = memory["rss_peak_mb"] - memory["rss_baseline_mb"]
    print(
        f"1 blob of {memory['mb']} MiB pushed in {memory['seconds']:.1f} s "
        f"({memory['mb'] / memory['seconds']:.0f} MiB/s, HTTP {memory['status']}): ecsd RSS "
        f"{memory['rss_baseline_mb']:.0f} MB before, peak {memory['rss_peak_mb']:.0f} MB "
        f"(+{grow:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
