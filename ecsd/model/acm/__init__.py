"""ACM: certificates issued by ecsd's local certificate authority, or imported."""
