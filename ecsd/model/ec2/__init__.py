"""EC2 networking as records (issue #14): what ecsd keeps and validates of VPCs,
subnets, security groups, tags — no packets flow through them; tasks' ENIs live in them.

Modules: `ids` (EC2's id forms), `errors` (EC2's codes and texts), `filters` (the
generic `Filters=[{Name, Values}]`), `tags` (one table for every resource id),
`vpc_lifecycle` (the hooks the routing half plugs into), `vpcs`, `subnets`,
`security_groups`, `defaults` (the default VPC of each region).
"""
