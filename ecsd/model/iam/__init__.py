"""IAM records: roles and their inline policies (stored, not enforced)."""
