"""What a task reaches from inside: the task metadata endpoint (v3/v4), the task-role
credentials endpoint, and the AWS endpoint (this ecsd) its SDKs are pointed at.

Where containers reach ecsd (see `listener.py` for the why):
  - the engine's bridge gateway (Docker's 172.17.0.1, Podman's 10.88.0.1) at ecsd's own
    port: every task's network namespace routes there, with no root and no iptables.
    The metadata endpoint and `AWS_ENDPOINT_URL` use it.
  - 127.0.0.1:51679 inside the task's own namespace, for the credentials endpoint,
    where ecsd can open a socket in that namespace (it runs as root next to a local
    engine): the AWS SDKs fetch `AWS_CONTAINER_CREDENTIALS_FULL_URI` over plain HTTP only
    from loopback (or 169.254.170.2/23, which would need iptables).

`keys.py` holds the stateless secrets (URI tokens, minted credentials), `metadata.py`
the JSON shapes, `netns.py` the namespace socket, `listener.py` the HTTP surface.
"""
