"""The `ecsd` command."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from . import __version__
from .config import (
    DEFAULT_ACCOUNT,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_REGION,
    DEFAULT_STOPPED_TASK_RETENTION,
    DEFAULT_TASK_HEALTHY_AFTER,
    Settings,
    default_data_dir,
)


@click.group(context_settings={"auto_envvar_prefix": "ECSD"})
@click.version_option(__version__, prog_name="ecsd")
def main() -> None:
    """ecsd: Amazon ECS on your own machine, with real containers."""


@main.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    envvar="ECSD_HOST",
    help="Address to listen on.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, envvar="ECSD_PORT")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ECSD_DATA_DIR",
    default=None,
    help="Where state lives [default: the user data dir, e.g. ~/.local/share/ecsd].",
)
@click.option(
    "--region",
    default=DEFAULT_REGION,
    show_default=True,
    envvar="ECSD_REGION",
    help="Region for requests that do not name one.",
)
@click.option("--account-id", default=DEFAULT_ACCOUNT, show_default=True, envvar="ECSD_ACCOUNT_ID")
@click.option(
    "--docker-host",
    default=None,
    envvar="DOCKER_HOST",
    help="Docker Engine API (or Podman's) [default: the local socket].",
)
@click.option(
    "--bind-host",
    default="127.0.0.1",
    show_default=True,
    envvar="ECSD_BIND_HOST",
    help="Address task ports are published on.",
)
@click.option(
    "--stopped-task-retention",
    default=DEFAULT_STOPPED_TASK_RETENTION,
    type=float,
    show_default=True,
    envvar="ECSD_STOPPED_TASK_RETENTION",
    help="Seconds a STOPPED task stays describable.",
)
@click.option(
    "--task-healthy-after",
    default=DEFAULT_TASK_HEALTHY_AFTER,
    type=float,
    show_default=True,
    envvar="ECSD_TASK_HEALTHY_AFTER",
    help="Seconds a service task with no health check must run before a "
    "deployment counts it healthy (ECS waits about 40).",
)
@click.option("--log-level", default="WARNING", show_default=True, envvar="ECSD_LOG_LEVEL")
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    region: str,
    account_id: str,
    docker_host: str | None,
    bind_host: str,
    stopped_task_retention: float,
    task_healthy_after: float,
    log_level: str,
) -> None:
    """Run the server."""
    from .server import serve as run

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run(
        Settings(
            host=host,
            port=port,
            data_dir=(data_dir or default_data_dir()).resolve(),
            region=region,
            account_id=account_id,
            docker_host=docker_host,
            bind_host=bind_host,
            stopped_task_retention=stopped_task_retention,
            task_healthy_after=task_healthy_after,
        )
    )
