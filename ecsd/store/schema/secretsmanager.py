"""Secrets Manager tables: one row per secret (its metadata, as DescribeSecret shows it)
and one per version (staging labels and the sealed value).

Values are stored sealed (store/sealing.py), never as plaintext. A secret scheduled for
deletion keeps its rows, with `deleted_date` set to when it goes for good. ListSecrets
sorts by creation, change time or name; each has an index so that a page is a range
read.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String, Table

from .base import metadata

secrets = Table(
    "sm_secrets",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("created", Float, nullable=False),
    Column("changed", Float, nullable=False),
    Column("deleted_date", Float),  # scheduled deletion time, if any
    Column("doc", JSON, nullable=False),
)
Index("sm_secrets_by_name", secrets.c.region, secrets.c.name, unique=True)
Index("sm_secrets_by_created", secrets.c.region, secrets.c.created, secrets.c.arn)
Index("sm_secrets_by_changed", secrets.c.region, secrets.c.changed, secrets.c.arn)

secret_versions = Table(
    "sm_secret_versions",
    metadata,
    Column("arn", String, primary_key=True),
    Column("version_id", String, primary_key=True),
    Column("stages", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("binary", Integer, nullable=False),  # 1 for SecretBinary, 0 for SecretString
    Column("value", LargeBinary, nullable=False),  # sealed
)
Index(
    "sm_secret_versions_by_created",
    secret_versions.c.arn,
    secret_versions.c.created,
    secret_versions.c.version_id,
)
