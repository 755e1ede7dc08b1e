"""The README's walk-through is run by newcomers literally, one block after another: its
commands must agree with each other where ECS would refuse a mismatch (issue #12 item 7).
The commands themselves run against a real `ecsd serve` in tests/scenarios/test_newcomer.py;
this checks what ties one block to another without a container engine.
"""

from __future__ import annotations

import json
import re
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
