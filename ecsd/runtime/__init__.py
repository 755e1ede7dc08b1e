"""The container runtime: the only part of ecsd that talks to a container engine.

`base` says what controllers may ask (the `Runtime` protocol, its values and errors);
`docker` answers it with the Docker Engine API (also Podman's); `pause` makes the holder
image that owns each task's network namespace.
"""

from .base import (
    ContainerCreateError,
    ContainerRef,
    ContainerSpec,
    ContainerStartError,
    ContainerState,
    ImageInfo,
    ImagePullError,
    PortBinding,
    Runtime,
    RuntimeError_,
    RuntimeUnavailable,
    Sandbox,
)

__all__ = [
    "ContainerCreateError",
    "ContainerRef",
    "ContainerSpec",
    "ContainerStartError",
    "ContainerState",
    "ImageInfo",
    "ImagePullError",
    "PortBinding",
    "Runtime",
    "RuntimeError_",
    "RuntimeUnavailable",
    "Sandbox",
]
