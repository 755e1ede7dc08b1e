"""IAM tables. IAM is global: every region answers the same records, so rows are keyed
by partition (`aws`, `aws-cn`, …), not by region. A role row keeps what GetRole shows as
`doc`; inline policies are their own rows, documents kept exactly as written (Terraform
compares the text it sent with what it reads back)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, String, Table, Text

from .base import metadata

iam_roles = Table(
    "iam_roles",
    metadata,
    Column("partition", String, primary_key=True),
    Column("name", String, primary_key=True),  # IAM role names are case-insensitive: lowered
    Column("path", String, nullable=False),
    Column("doc", JSON, nullable=False),
)

iam_role_policies = Table(
    "iam_role_policies",
    metadata,
    Column("partition", String, primary_key=True),
    Column("role", String, primary_key=True),  # the role's lowered name
    Column("name", String, primary_key=True),
    Column("document", Text, nullable=False),
)

# Customer managed policies; `versions` holds every version ({VersionId, Document as
# written, IsDefaultVersion, CreateDate}). AWS managed policies are data
# (model/iam/aws_policies.json), not rows.
iam_policies = Table(
    "iam_policies",
    metadata,
    Column("partition", String, primary_key=True),
    Column("arn", String, primary_key=True),
    Column("path", String, nullable=False),
    Column("doc", JSON, nullable=False),
    Column("versions", JSON, nullable=False),
)

# Which managed policy (customer or AWS) is attached to which role.
iam_role_attachments = Table(
    "iam_role_attachments",
    metadata,
    Column("partition", String, primary_key=True),
    Column("role", String, primary_key=True),  # the role's lowered name
    Column("policy_arn", String, primary_key=True),
)

# Instance profiles; `roles` holds the lowered names of the (at most one) role in it.
iam_instance_profiles = Table(
    "iam_instance_profiles",
    metadata,
    Column("partition", String, primary_key=True),
    Column("name", String, primary_key=True),  # lowered
    Column("doc", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
)

# STS sessions: who an access key ecsd handed out acts as (the task role's keys served to
# containers, AssumeRole's keys), so that GetCallerIdentity names the assumed role, after
# a restart too. `secret` is kept for AssumeRole's keys only (the task keys' secrets are
# derived from the data dir's key, taskside/keys.py).
sts_sessions = Table(
    "sts_sessions",
    metadata,
    Column("access_key_id", String, primary_key=True),
    Column("role_arn", String, nullable=False),
    Column("role_id", String, nullable=False),
    Column("session", String, nullable=False),
    Column("expiration", Float, nullable=False),
    Column("secret", String),
)
