"""ECR lifecycle-policy previews: the policy text a StartLifecyclePolicyPreview asked to
try on a repository. The preview's results are not stored: GetLifecyclePolicyPreview
evaluates the text against the repository's images as they are (model/ecr/lifecycle.py
is pure and fast), so a preview is always COMPLETE when read."""

from __future__ import annotations

from sqlalchemy import Column, Float, String, Table, Text

from .base import metadata

ecr_lifecycle_previews = Table(
    "ecr_lifecycle_previews",
    metadata,
    Column("region", String, primary_key=True),
    Column("repository", String, primary_key=True),
    Column("policy", Text, nullable=False),
    Column("started", Float, nullable=False),
)
