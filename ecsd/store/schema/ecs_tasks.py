"""ECS tasks: the desired state the API writes and the observed state controllers write.

`doc` is the task as DescribeTasks shows it. `runtime` is what only the controller needs
to find the task's containers again (sandbox and container ids, published ports); it is
never shown through the API.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, String, Table

from .base import metadata

tasks = Table(
    "tasks",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("cluster_arn", String, nullable=False),
    Column("family", String, nullable=False),
    Column("started_by", String),
    Column("group", String, nullable=False),
    Column("desired_status", String, nullable=False),
    Column("last_status", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("stopped_at", Float),
    Column("doc", JSON, nullable=False),
    Column("runtime", JSON, nullable=False, default=dict),
)
Index("tasks_by_cluster", tasks.c.cluster_arn, tasks.c.desired_status, tasks.c.arn)
Index("tasks_by_last_status", tasks.c.last_status)
# A service's tasks (group `service:<name>`), for its scheduler and its counts.
Index("tasks_by_group", tasks.c.cluster_arn, tasks.c.group, tasks.c.last_status)
