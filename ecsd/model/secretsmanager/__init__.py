"""Secrets Manager's domain: secret rows and versions, and the values other services read."""
