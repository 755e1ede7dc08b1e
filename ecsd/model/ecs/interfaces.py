"""The network interfaces of awsvpc tasks, as EC2 sees them: the named function
through which EC2's records (DescribeNetworkInterfaces, DeleteSubnet's and
DeleteSecurityGroup's dependency checks) read ECS's tasks, never its tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...core.unit import Unit
from ...store.schema.ecs_tasks import tasks


@dataclass(frozen=True)
class TaskInterface:
    task_arn: str
    attachment_id: str
    subnet_id: str
    security_groups: tuple[str, ...]
    availability_zone: str
    status: str  # the attachment's (PRECREATED, ATTACHED, DELETED …)
    eni_id: str | None  # None until the task's network namespace runs
    private_ip: str | None
    mac: str | None
    private_dns: str | None


def task_interfaces(unit: Unit) -> list[TaskInterface]:
    """The ENI attachments of the region's tasks not yet STOPPED."""
    rows = unit.conn.execute(
        select(tasks.c.doc, tasks.c.runtime).where(
            tasks.c.region == unit.region, tasks.c.last_status != "STOPPED"
        )
    )
    out: list[TaskInterface] = []
    for r in rows:
        for att in r.doc.get("attachments") or []:
            if att.get("type") != "ElasticNetworkInterface":
                continue
            details = {d["name"]: d.get("value") for d in att.get("details") or []}
            out.append(
                TaskInterface(
                    task_arn=r.doc["taskArn"],
                    attachment_id=att["id"],
                    subnet_id=details.get("subnetId") or "",
                    security_groups=tuple((r.runtime or {}).get("securityGroups") or ()),
                    availability_zone=r.doc.get("availabilityZone") or "",
                    status=att.get("status") or "",
                    eni_id=details.get("networkInterfaceId"),
                    private_ip=details.get("privateIPv4Address"),
                    mac=details.get("macAddress"),
                    private_dns=details.get("privateDnsName"),
                )
            )
    return out
