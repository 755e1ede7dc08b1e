"""SSM parameters and Secrets Manager secrets. Values are stored sealed
(store/sealing.py), never as plaintext."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String, Table

from .base import metadata

ssm_parameters = Table(
    "ssm_parameters", metadata,
    Column("region", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("current", Integer, nullable=False),  # 1 on the newest version's row
    Column("type", String, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("doc", JSON, nullable=False),  # the metadata DescribeParameters shows
)
Index("ssm_parameters_current", ssm_parameters.c.region, ssm_parameters.c.current,
      ssm_parameters.c.name)

secrets = Table(
    "secrets", metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("deleted_date", Float),
    Column("doc", JSON, nullable=False),
)
Index("secrets_by_name", secrets.c.region, secrets.c.name, unique=True)

secret_versions = Table(
    "secret_versions", metadata,
    Column("arn", String, primary_key=True),
    Column("version_id", String, primary_key=True),
    Column("stages", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("binary", Integer, nullable=False),
    Column("value", LargeBinary, nullable=False),
)
