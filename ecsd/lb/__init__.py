"""The Application Load Balancer's data plane: listeners that really listen, rules, the
HTTP proxy, health checks and draining. It reads only the in-memory routing table of
`table.py`, which the load-balancing controller builds from the store and swaps
atomically; health results go back through a callback. Nothing here touches the store.
"""
