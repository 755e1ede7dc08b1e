"""Reading a pushed manifest: its media type, what it refers to, and its size as ECR
reports it. Pure functions on bytes, shared by the registry and PutImage."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import errors, storage

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
INDEXES = frozenset({DOCKER_LIST, OCI_INDEX})
MANIFESTS = frozenset({DOCKER_MANIFEST, OCI_MANIFEST})
LEGACY = frozenset({DOCKER_V1, DOCKER_V1_SIGNED})
ALL = INDEXES | MANIFESTS | LEGACY
# Layers hosted elsewhere (Windows base layers): not uploaded, so not required here.
FOREIGN = re.compile(r"foreign|nondistributable")
# The distribution spec's tag grammar.
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


@dataclass
class Parsed:
    media_type: str
    artifact_media_type: str | None
    blobs: list[str] = field(default_factory=list)  # config and layers it needs
    children: list[str] = field(default_factory=list)  # manifests an index names
    layer_bytes: int = 0  # config + layers, as the descriptors say
    child_sizes: dict[str, int] = field(default_factory=dict)


def _descriptor(d: Any, what: str) -> tuple[str, int, str]:
    if not isinstance(d, dict):
        raise errors.invalid_manifest(f"{what} is not a descriptor")
    digest, size, media = d.get("digest"), d.get("size", 0), d.get("mediaType", "")
    if not isinstance(digest, str) or not storage.valid_digest(digest):
        raise errors.invalid_manifest(f"{what} has no valid sha256 digest")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise errors.invalid_manifest(f"{what} has an invalid size")
    return digest, size, media if isinstance(media, str) else ""


def parse(body: bytes, media_type: str | None) -> Parsed:
    """What `body` is and refers to; InvalidParameterException if it is no manifest.
    `media_type` is what the client said (Content-Type / imageManifestMediaType)."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_manifest("the manifest is not JSON") from None
    if not isinstance(doc, dict):
        raise errors.invalid_manifest("the manifest is not a JSON object")
    declared = doc.get("mediaType")
    given = (media_type or "").split(";")[0].strip() or None
    if given is not None and given not in ALL:
        given = None  # e.g. application/json or octet-stream: decide from the body
    if declared is not None and given is not None and declared != given:
        raise errors.invalid_manifest(
            f"the manifest's mediaType {declared!r} is not the one given ({given!r})"
        )
    kind = declared or given
    if kind is None:
        if doc.get("schemaVersion") == 1:
            kind = DOCKER_V1_SIGNED if "signatures" in doc else DOCKER_V1
        else:
            kind = OCI_INDEX if "manifests" in doc else OCI_MANIFEST
    if kind not in ALL:
        raise errors.invalid_manifest(f"unsupported manifest media type {str(kind)[:100]!r}")
    if kind in LEGACY:
        layers = doc.get("fsLayers")
        if not isinstance(layers, list):
            raise errors.invalid_manifest("fsLayers is missing")
        sums: list[str] = []
        for x in layers:
            s = x.get("blobSum") if isinstance(x, dict) else None
            if not isinstance(s, str) or not storage.valid_digest(s):
                raise errors.invalid_manifest("a blobSum is invalid")
            sums.append(s)
        return Parsed(kind, None, blobs=list(dict.fromkeys(sums)))
    if kind in INDEXES:
        entries = doc.get("manifests")
        if not isinstance(entries, list):
            raise errors.invalid_manifest("manifests is missing")
        parsed = Parsed(kind, None)
        for i, entry in enumerate(entries):
            digest, size, _ = _descriptor(entry, f"manifests[{i}]")
            if digest not in parsed.child_sizes:
                parsed.children.append(digest)
            parsed.child_sizes[digest] = size
        return parsed
    config_digest, config_size, config_media = _descriptor(doc.get("config"), "config")
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise errors.invalid_manifest("layers is missing")
    parsed = Parsed(kind, config_media or None, blobs=[config_digest], layer_bytes=config_size)
    for i, layer in enumerate(layers):
        digest, size, media = _descriptor(layer, f"layers[{i}]")
        parsed.layer_bytes += size
        if FOREIGN.search(media) and layer.get("urls"):
            continue
        if digest not in parsed.blobs:
            parsed.blobs.append(digest)
    artifact = doc.get("artifactType")
    if isinstance(artifact, str) and artifact:
        parsed.artifact_media_type = artifact
    return parsed
