"""What a task reaches from inside: the task metadata endpoint (v3/v4), the task-role
credentials endpoint, and the AWS endpoint (this ecsd) its SDKs are pointed at.

Where containers reach ecsd (see `listener.py` for the why):
  - the engine's bridge gateway (Docker's 172.17.0.1, Podman's 10.88.0.1) at ecsd's own
    port: every task's network namespace routes there, with no root and no iptables.
    The metadata endpoint and `AWS_ENDPOINT_URL` use it.
  - 169.254.170.2 at ecsd's own port, for a task with a task role (its metadata and
    credentials endpoints and `AWS_ENDPOINT_URL`): the host is the gateway of ecsd's
    internal Docker network `ecsd-taskside`, which the task's holder joins. The AWS SDKs
    fetch `AWS_CONTAINER_CREDENTIALS_FULL_URI` over plain HTTP only from loopback or
    169.254.170.2 (and .23): the engine makes that bridge, so no root is needed.

`keys.py` holds the stateless secrets (URI tokens, minted credentials), `metadata.py`
the JSON shapes, `listener.py` the HTTP surface.
"""
