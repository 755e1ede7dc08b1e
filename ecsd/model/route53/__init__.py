"""Route 53 as records: hosted zones and record sets (no DNS server answers them)."""
