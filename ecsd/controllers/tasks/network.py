"""A task's network as ECS shows it: the ports its namespace publishes, and the ENI
attachment and network bindings recorded once the namespace's owner is running."""

from __future__ import annotations

from typing import Any

from ...runtime.base import Sandbox


def ports(rt: dict[str, Any]) -> list[tuple[int, str]]:
    return [
        (int(pm["containerPort"]), pm.get("protocol", "tcp"))
        for d in rt["containers"]
        for pm in d.get("portMappings") or []
        if pm.get("containerPort")
    ]


def attach(doc: dict[str, Any], rt: dict[str, Any], owner: Sandbox) -> None:
    """Record the namespace owner's address as the task's ENI, and each container's
    published ports as its networkBindings (where the user connects)."""
    rt["ip"] = owner.ip
    task_id = doc["taskArn"].rsplit("/", 1)[1]
    bindings = [
        {
            "bindIP": b.host_ip,
            "containerPort": b.container_port,
            "hostPort": b.host_port,
            "protocol": b.protocol,
        }
        for b in owner.bindings
    ]
    for att in doc["attachments"]:
        att["status"] = "ATTACHED"
        att["details"] = [d for d in att["details"] if d["name"] == "subnetId"] + [
            {"name": "networkInterfaceId", "value": f"eni-{task_id[:17]}"},
            {"name": "macAddress", "value": owner.mac or ""},
            {"name": "privateDnsName", "value": f"ip-{owner.ip.replace('.', '-')}.ec2.internal"},
            {"name": "privateIPv4Address", "value": owner.ip},
        ]
    for c, d in zip(doc["containers"], rt["containers"], strict=True):
        own = {int(pm["containerPort"]) for pm in d.get("portMappings") or []}
        c["networkBindings"] = [b for b in bindings if b["containerPort"] in own]
        if doc["attachments"]:
            c["networkInterfaces"] = [
                {"attachmentId": doc["attachments"][0]["id"], "privateIpv4Address": owner.ip}
            ]
