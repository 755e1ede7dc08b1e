"""SSM Parameter Store's domain: parameter names, rows, and the values other services read."""
