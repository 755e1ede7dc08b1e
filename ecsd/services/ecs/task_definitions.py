"""Task definitions (being written)."""
