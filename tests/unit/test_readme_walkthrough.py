"""The README's walk-through is run by newcomers literally, one block after another: its
commands must agree with each other where ECS would refuse a mismatch (issue #12 item 7).
The commands themselves run against a real `ecsd serve` in tests/scenarios/test_newcomer.py;
this checks what ties one block to another without a container engine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _web_task_definition(readme: str) -> list[dict[str, object]]:
    """The container definitions of the walk-through's `web` family, as the README gives
    them to `register-task-definition --container-definitions '…'`."""
    found = re.search(
        r"register-task-definition --family web .*?--container-definitions '(\[.*?\])'",
        readme,
        re.S,
    )
    assert found, "the README registers the walk-through's web task definition"
    containers: list[dict[str, object]] = json.loads(found.group(1))
    return containers


def test_the_load_balanced_service_names_a_port_its_task_definition_maps():
    """CreateService refuses a load balancer whose containerPort the container does not
    map ("The container web did not have a container port 80 defined.")."""
    readme = README.read_text()
    containers = {c["name"]: c for c in _web_task_definition(readme)}
    balanced = re.findall(
        r"--load-balancers targetGroupArn=\$TG,containerName=(\w+),containerPort=(\d+)", readme
    )
    assert balanced, "the README puts a service behind the load balancer"
    for name, port in balanced:
        mappings = containers[name]["portMappings"]
        assert isinstance(mappings, list)
        assert int(port) in [m["containerPort"] for m in mappings], (name, port)


def test_the_walkthroughs_image_builds_alone_and_says_what_it_needs(tmp_path):
    """README runs `scripts/build-test-images.sh --busybox`: it must build the busybox image
    without the Python images (debootstrap, root, Debian's mirror), and a user who is not
    root and lacks busybox-static is told what to install, not shown apt's failure."""
    readme = README.read_text()
    assert "scripts/build-test-images.sh --busybox" in readme
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, body in {
        "docker": "exit 1",  # no image yet
        "dpkg": "exit 1",  # busybox-static not installed
        "id": "echo 1000",  # not root
        "apt-get": "echo apt-get ran >&2; exit 100",
        "debootstrap": "echo debootstrap ran >&2; exit 1",
    }.items():
        (fake / name).write_text(f"#!/bin/sh\n{body}\n")
        (fake / name).chmod(0o755)
    script = README.parent / "scripts" / "build-test-images.sh"
    proc = subprocess.run(
        [str(script), "--busybox"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"},
        timeout=30,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "build-test-images: busybox-static is needed; install it first "
        "(sudo apt-get install busybox-static)"
    )
