"""SSM Parameter Store tables: one row per parameter (what DescribeParameters and
GetParametersByPath list) and one per version (history, labels, `name:version`).

Values are stored sealed (store/sealing.py), never as plaintext. The parameter row keeps
a copy of its newest version's sealed value so that reading a parameter is one index
seek. `parent` is the path a hierarchical name sits in (`/a/b` for `/a/b/c`, `/` for
`/c`, NULL for a name without a leading slash), so that a one-level GetParametersByPath
page is an index range, not a scan.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String, Table

from .base import metadata

ssm_parameters = Table(
    "ssm_params",
    metadata,
    Column("region", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("parent", String),
    Column("type", String, nullable=False),
    Column("version", Integer, nullable=False),  # the newest version
    Column("modified", Float, nullable=False),
    Column("value", LargeBinary, nullable=False),  # the newest version's, sealed
    Column("tags", JSON, nullable=False),
    # What DescribeParameters shows (ParameterMetadata), for the newest version.
    Column("doc", JSON, nullable=False),
)
Index(
    "ssm_params_by_parent", ssm_parameters.c.region, ssm_parameters.c.parent, ssm_parameters.c.name
)

ssm_parameter_versions = Table(
    "ssm_param_versions",
    metadata,
    Column("region", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("value", LargeBinary, nullable=False),  # sealed
    Column("labels", JSON, nullable=False),
    # What GetParameterHistory shows for this version, less Value and Labels.
    Column("doc", JSON, nullable=False),
)
