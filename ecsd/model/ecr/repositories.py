"""Repositories: create, read, list, update, delete, and the URI images are named by.

The URI is what the stock docker CLI can push to without any daemon.json change: Docker
talks plain HTTP to registries on 127.0.0.0/8, so the registry host is `127.0.0.1:<port>`
(ecsd's API port; the registry is served there under `/v2/`). `localhost` would also be
allowed, but may resolve to ::1 where ecsd listens on 127.0.0.1 only. Task definitions
may also name the AWS form `<acct>.dkr.ecr.<region>.amazonaws.com/<name>`, which
`local_image` maps back to this registry.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy import delete as sa_delete
from sqlalchemy import update as sa_update

from ...core.bus import EcrImagesChanged
from ...core.unit import Unit
from ...store.schema.ecr import ecr_image_refs, ecr_images, ecr_repositories, ecr_tags
from ..keyset import Keyset
from . import errors

# ECR's repository name pattern (CreateRepository's model), lower case, `/` namespaces.
NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
NAME_MIN, NAME_MAX = 2, 256
AWS_HOST = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?::443)?$")


def valid_name(name: str) -> bool:
    return NAME_MIN <= len(name) <= NAME_MAX and NAME.fullmatch(name) is not None


def registry_host(settings: Any) -> str:
    """`host:port` of ecsd's registry, as docker must be given it (see the module doc)."""
    host = str(settings.host).strip("[]")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if host in ("", "localhost") or (ip is not None and (ip.is_unspecified or ip.is_loopback)):
        host = "127.0.0.1"
    elif ip is not None and ip.version == 6:
        host = f"[{host}]"
    return f"{host}:{settings.port}"


def uri(settings_or_unit: Any, name: str) -> str:
    settings = getattr(settings_or_unit, "settings", settings_or_unit)
    return f"{registry_host(settings)}/{name}"


def local_image(settings: Any, image: str) -> str | None:
    """`image` as ecsd's registry serves it, if it names that registry — by its own host
    or by the AWS form for this account — else None (an image from elsewhere)."""
    host, sep, rest = image.partition("/")
    if not sep:
        return None
    own = registry_host(settings)
    if host == own or host in (f"localhost:{settings.port}",):
        return f"{own}/{rest}"
    m = AWS_HOST.match(host)
    if m and m.group(1) == settings.account_id:
        return f"{own}/{rest}"
    return None


def arn(unit: Unit, name: str) -> str:
    return unit.arn("ecr", f"repository/{name}")


def get(unit: Unit, name: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ecr_repositories).where(
            ecr_repositories.c.region == unit.region, ecr_repositories.c.name == name
        )
    ).first()


def region_of(unit: Unit, name: str) -> str:
    """The region whose repository `name` the registry serves. A registry host is one
    for every region (the URI carries no region, and users' CLIs are set to theirs, e.g.
    ap-northeast-1, whatever ecsd's default): the unit's own region if it has the name,
    else the first region (in name order) that does, else the unit's region."""
    regions = sorted(
        unit.conn.execute(
            select(ecr_repositories.c.region).where(ecr_repositories.c.name == name)
        ).scalars()
    )
    if not regions or unit.region in regions:
        return unit.region
    return regions[0]


def require(unit: Unit, name: str) -> Row[Any]:
    row = get(unit, name)
    if row is None:
        raise errors.repository_not_found(name, unit.account)
    return row


def create(
    unit: Unit,
    name: str,
    *,
    mutability: str = "MUTABLE",
    scanning: dict[str, Any] | None = None,
    encryption: dict[str, Any] | None = None,
    tags: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new repository; its Repository document (RepositoryAlreadyExistsException if
    the name is taken). `extra` adds fields the API stores as given (exclusion filters)."""
    if get(unit, name) is not None:
        raise errors.repository_exists(name, unit.account)
    doc: dict[str, Any] = {
        "repositoryArn": arn(unit, name),
        "registryId": unit.account,
        "repositoryName": name,
        "repositoryUri": uri(unit, name),
        "createdAt": unit.now,
        "imageTagMutability": mutability,
        "imageScanningConfiguration": scanning or {"scanOnPush": False},
        "encryptionConfiguration": encryption or {"encryptionType": "AES256"},
        **(extra or {}),
    }
    unit.conn.execute(
        insert(ecr_repositories).values(
            region=unit.region,
            name=name,
            created=unit.now,
            mutability=mutability,
            tags=tags or [],
            doc=doc,
        )
    )
    return doc


def describe(unit: Unit, row: Row[Any]) -> dict[str, Any]:
    """The Repository document, with the URI as this daemon serves it now (the port may
    have changed since the repository was made)."""
    return {**row.doc, "repositoryUri": uri(unit, row.name)}


def list_keyset(unit: Unit, names: list[str] | None = None) -> Keyset:
    """Repositories in name order (optionally only `names`), for services/pagination.py."""
    q = select(ecr_repositories).where(ecr_repositories.c.region == unit.region)
    if names is not None:
        q = q.where(ecr_repositories.c.name.in_(names))
    return Keyset(q.order_by(ecr_repositories.c.name), [ecr_repositories.c.name])


def update(unit: Unit, name: str, **values: Any) -> Row[Any]:
    """Set columns (`mutability`, `policy`, `lifecycle_policy`, `tags`) and/or fields of
    the document (`doc_fields={...}`); the row as it now is."""
    row = require(unit, name)
    doc_fields = values.pop("doc_fields", None) or {}
    if "mutability" in values:
        doc_fields["imageTagMutability"] = values["mutability"]
    if "lifecycle_policy" in values:
        values.setdefault("lifecycle_updated", unit.now)
    if doc_fields:
        values["doc"] = {**row.doc, **doc_fields}
    if values:
        unit.conn.execute(
            sa_update(ecr_repositories)
            .where(ecr_repositories.c.region == unit.region, ecr_repositories.c.name == name)
            .values(**values)
        )
    return require(unit, name)


def image_count(unit: Unit, name: str) -> int:
    return int(
        unit.conn.execute(
            select(func.count())
            .select_from(ecr_images)
            .where(ecr_images.c.region == unit.region, ecr_images.c.repository == name)
        ).scalar_one()
    )


def delete(unit: Unit, name: str, *, force: bool = False) -> dict[str, Any]:
    """Delete a repository (and with `force` its images); its document as it was.
    The blobs its images used are left to garbage collection (other repositories may
    share them)."""
    row = require(unit, name)
    if not force and image_count(unit, name):
        raise errors.repository_not_empty(name, unit.account)
    for table in (ecr_image_refs, ecr_tags, ecr_images):
        unit.conn.execute(
            sa_delete(table).where(table.c.region == unit.region, table.c.repository == name)
        )
    unit.conn.execute(
        sa_delete(ecr_repositories).where(
            ecr_repositories.c.region == unit.region, ecr_repositories.c.name == name
        )
    )
    unit.record(EcrImagesChanged(unit.region, name, deleted=True))
    return describe(unit, row)
