"""ECR tables: repositories, images (one row per manifest), tags pointing at images, the
blobs each image refers to, blobs themselves, and uploads in progress.

Blob *content* lives on disk (ecsd/model/ecr/blobs.py, content-addressed under the data
dir); the `ecr_blobs` row is what makes a blob visible, and it is written only after the
file is complete, fsynced and renamed into place, so a crash never shows a partial blob.
`ecr_image_blobs` is the reachability index: a blob no image row refers to (and older
than an upload could be in progress) is garbage.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Index, LargeBinary, String, Table, Text

from .base import metadata

ecr_repositories = Table(
    "ecr_repositories",
    metadata,
    Column("region", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("created", Float, nullable=False),
    Column("mutability", String, nullable=False),  # imageTagMutability
    Column("policy", Text),  # the repository policy text, as set
    Column("lifecycle_policy", Text),  # the lifecycle policy text, as set
    Column("lifecycle_updated", Float),
    Column("tags", JSON, nullable=False),
    # The Repository as DescribeRepositories shows it.
    Column("doc", JSON, nullable=False),
)

ecr_images = Table(
    "ecr_images",
    metadata,
    Column("region", String, primary_key=True),
    Column("repository", String, primary_key=True),
    Column("digest", String, primary_key=True),  # the manifest's digest
    Column("media_type", String, nullable=False),  # imageManifestMediaType
    Column("artifact_media_type", String),
    Column("size", BigInteger, nullable=False),  # imageSizeInBytes
    Column("pushed", Float, nullable=False),
    Column("last_pull", Float),
    Column("manifest", LargeBinary, nullable=False),  # the bytes as pushed
)
Index("ecr_images_by_pushed", ecr_images.c.region, ecr_images.c.repository, ecr_images.c.pushed)

ecr_tags = Table(
    "ecr_tags",
    metadata,
    Column("region", String, primary_key=True),
    Column("repository", String, primary_key=True),
    Column("tag", String, primary_key=True),
    Column("digest", String, nullable=False),
    Column("tagged", Float, nullable=False),
)
Index("ecr_tags_by_digest", ecr_tags.c.region, ecr_tags.c.repository, ecr_tags.c.digest)

# What each image refers to: blobs (config and layers) and, for an index, child manifests
# (kind "manifest"). Reachability for garbage collection and for deleting a child that
# an index still names.
ecr_image_refs = Table(
    "ecr_image_refs",
    metadata,
    Column("region", String, primary_key=True),
    Column("repository", String, primary_key=True),
    Column("image", String, primary_key=True),
    Column("ref", String, primary_key=True),
    Column("kind", String, nullable=False),  # "blob" | "manifest"
)
Index("ecr_image_refs_by_ref", ecr_image_refs.c.ref)

ecr_blobs = Table(
    "ecr_blobs",
    metadata,
    Column("digest", String, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("created", Float, nullable=False),
)

ecr_uploads = Table(
    "ecr_uploads",
    metadata,
    Column("id", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("repository", String, nullable=False),
    Column("size", BigInteger, nullable=False),  # bytes received so far
    Column("started", Float, nullable=False),
    Column("touched", Float, nullable=False),
)
