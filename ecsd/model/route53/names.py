"""Route 53's spelling of names: lower-case, with the trailing dot, `\\052` for a
leading `*` as Route 53 answers it; and the reversed-label key it lists record sets by."""

from __future__ import annotations


def normalise(name: str) -> str:
    name = name.strip().lower()
    if not name.endswith("."):
        name += "."
    if name.startswith("*."):
        name = "\\052" + name[1:]
    return name


def sort_key(name: str) -> str:
    """`www.example.com.` → `com.example.www.`: Route 53 lists record sets in this order."""
    labels = [label for label in name.split(".") if label]
    return ".".join(reversed(labels)) + "."


def within(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)
