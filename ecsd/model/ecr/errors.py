"""ECR's errors, with AWS's codes and texts (where AWS's text is not documented the
text is ecsd's own, modelled on the ones seen from ECR), shared by the API and the registry
(which maps them to the distribution spec's codes)."""

from __future__ import annotations

from ...aws.errors import AwsError


def repository_not_found(name: str, account: str) -> AwsError:
    return AwsError(
        "RepositoryNotFoundException",
        f"The repository with name '{name}' does not exist in the registry with id '{account}'",
    )


def repository_exists(name: str, account: str) -> AwsError:
    return AwsError(
        "RepositoryAlreadyExistsException",
        f"The repository with name '{name}' already exists in the registry with id '{account}'",
    )


def repository_not_empty(name: str, account: str) -> AwsError:
    return AwsError(
        "RepositoryNotEmptyException",
        f"The repository with name '{name}' in registry with id '{account}' cannot be "
        "deleted because it still contains images",
    )


def tag_exists(tag: str, name: str, account: str) -> AwsError:
    return AwsError(
        "ImageTagAlreadyExistsException",
        f"The image tag '{tag}' already exists in the '{name}' repository and cannot be "
        "overwritten because the repository is immutable.",
    )


def image_not_found(what: str, name: str, account: str) -> AwsError:
    return AwsError(
        "ImageNotFoundException",
        f"The image with imageId {what} does not exist within the repository with name "
        f"'{name}' in the registry with id '{account}'",
    )


def layers_not_found(digests: list[str]) -> AwsError:
    return AwsError(
        "LayersNotFoundException",
        "Layers with digests " + str(digests) + " required for pushing image into "
        "repository are not present.",
    )


def digest_mismatch(given: str, actual: str) -> AwsError:
    return AwsError(
        "ImageDigestDoesNotMatchException",
        f"The provided image digest '{given}' does not match the digest of the manifest "
        f"'{actual}'.",
    )


def invalid_manifest(why: str) -> AwsError:
    return AwsError("InvalidParameterException", f"Invalid parameter at 'imageManifest': {why}")
