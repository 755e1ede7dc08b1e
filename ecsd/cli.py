"""The `ecsd` command."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import click

from . import __version__
from .config import (
    DEFAULT_ACCOUNT,
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_HOST,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_PORT,
    DEFAULT_REGION,
    DEFAULT_STOPPED_TASK_RETENTION,
    DEFAULT_TASK_HEALTHY_AFTER,
    Settings,
    default_data_dir,
    default_lb_workers,
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
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    envvar="ECSD_ALLOWED_HOSTS",
    help="A host name requests may be addressed to, besides localhost, IP literals and "
    "--host (repeatable; the variable takes several, space or comma separated).",
)
@click.option(
    "--auth/--no-auth",
    default=False,
    show_default=True,
    envvar="ECSD_AUTH",
    help="Verify every request's SigV4 signature against the --access-key keys.",
)
@click.option(
    "--access-key",
    "access_keys",
    multiple=True,
    envvar="ECSD_ACCESS_KEYS",
    help="An access key ID:SECRET that --auth accepts (repeatable; the variable takes "
    "several, space or comma separated).",
)
@click.option(
    "--access-keys-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    envvar="ECSD_ACCESS_KEYS_FILE",
    default=None,
    help="A file of ID:SECRET lines that --auth accepts (# starts a comment).",
)
@click.option(
    "--header-timeout",
    default=DEFAULT_HEADER_TIMEOUT,
    type=float,
    show_default=True,
    envvar="ECSD_HEADER_TIMEOUT",
    help="Seconds a client has to send a request's headers.",
)
@click.option(
    "--body-timeout",
    default=DEFAULT_BODY_TIMEOUT,
    type=float,
    show_default=True,
    envvar="ECSD_BODY_TIMEOUT",
    help="Seconds a client has to send a request's body.",
)
@click.option(
    "--idle-timeout",
    default=DEFAULT_IDLE_TIMEOUT,
    type=float,
    show_default=True,
    envvar="ECSD_IDLE_TIMEOUT",
    help="Seconds an idle keep-alive connection stays open.",
)
@click.option(
    "--max-connections",
    default=DEFAULT_MAX_CONNECTIONS,
    type=click.IntRange(min=1),
    show_default=True,
    envvar="ECSD_MAX_CONNECTIONS",
    help="Connections open at once; more are answered 503.",
)
@click.option(
    "--task-port",
    "taskside_port",
    default=0,
    type=click.IntRange(min=0, max=65535),
    envvar="ECSD_TASK_PORT",
    help="Port on the engine's bridge gateway where tasks reach ecsd (0: --port).",
)
@click.option(
    "--task-endpoint/--no-task-endpoint",
    default=True,
    envvar="ECSD_TASK_ENDPOINT",
    help="Point containers' AWS_ENDPOINT_URL at this ecsd (off: their SDKs reach real AWS).",
)
@click.option(
    "--lb-workers",
    "lb_workers",
    default=default_lb_workers,
    type=click.IntRange(min=0, max=64),
    show_default="cores - 1, 1 to 4",
    envvar="ECSD_LB_WORKERS",
    help="Processes serving load balancer listeners (0: inside ecsd's own process).",
)
@click.option(
    "--metric-period",
    default=60.0,
    type=click.FloatRange(min=0.5),
    show_default=True,
    envvar="ECSD_METRIC_PERIOD",
    help="Seconds of one CloudWatch metric period; alarm Periods scale with it "
    "(a Period of 60 is one metric period: e.g. 5 for local runs and tests).",
)
@click.option(
    "--task-metrics/--no-task-metrics",
    default=True,
    show_default=True,
    envvar="ECSD_TASK_METRICS",
    help="Publish AWS/ECS CPUUtilization and MemoryUtilization of the running services "
    "(one stats sample per container every metric period).",
)
@click.option("--log-level", default="INFO", show_default=True, envvar="ECSD_LOG_LEVEL")
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
    allowed_hosts: tuple[str, ...],
    auth: bool,
    access_keys: tuple[str, ...],
    access_keys_file: Path | None,
    header_timeout: float,
    body_timeout: float,
    idle_timeout: float,
    max_connections: int,
    taskside_port: int,
    task_endpoint: bool,
    lb_workers: int,
    metric_period: float,
    task_metrics: bool,
    log_level: str,
) -> None:
    """Run the server."""
    from .aws.auth import parse_keys
    from .server import serve as run

    specs = _split(access_keys)
    if access_keys_file is not None:
        lines = access_keys_file.read_text().splitlines()
        specs += [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    try:
        keys = parse_keys(specs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--access-key") from None
    if auth and not keys:
        raise click.UsageError("--auth needs at least one --access-key or --access-keys-file.")
    if not auth and not _is_loopback(host):
        click.echo(_EXPOSED_WARNING.format(host=host), err=True)

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
            allowed_hosts=tuple(_split(allowed_hosts)),
            auth=auth,
            access_keys=keys,
            header_timeout=header_timeout,
            body_timeout=body_timeout,
            idle_timeout=idle_timeout,
            max_connections=max_connections,
            taskside_port=taskside_port,
            task_endpoint=task_endpoint,
            lb_workers=lb_workers,
            metric_period=metric_period,
            task_metrics=task_metrics,
        )
    )


_EXPOSED_WARNING = """\
ecsd: WARNING: listening on {host}, which is not a loopback address, WITHOUT
authentication. Anyone who can reach this port can run containers on this machine
(with any image, volumes and privileges a task definition allows), read every secret
and parameter stored here, and wipe all state. Listen on 127.0.0.1, or start with
--auth and --access-key ID:SECRET so that only signed requests are served."""


def _split(values: tuple[str, ...]) -> list[str]:
    """Flag values, each possibly several separated by commas (as env variables give)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything
