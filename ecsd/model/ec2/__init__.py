"""EC2 networking as records (issue #14): what ecsd keeps and validates of VPCs,
subnets, security groups and tags — no packets flow through them; tasks' ENIs live in
them.

- `ids`, `errors`, `cidrs`, `zones`: EC2's id forms, error codes and texts, CIDR rules,
  the region's zones;
- `filters`: the generic `Filters=[{Name, Values}]` every Describe call takes;
- `tags`: one tags table for every resource id, and the registry of taggable kinds;
- `vpc_lifecycle`: the hooks the routing half (route tables, ACLs, gateways …) plugs
  into when a VPC or subnet is made or deleted;
- `vpcs`, `subnets`, `security_groups`: the records;
- `defaults`: the default VPC of each region, made on first touch;
- `interfaces`: the ENIs of awsvpc tasks, read through model/ecs/interfaces.py;
- `task_network`: what ECS checks of a task's subnets and groups;
- the routing half (`ec2_routing` tables): `route_tables`, `network_acls` (the default
  ACLs), `gateways` (internet gateways), `addresses` (Elastic IPs), `nat_gateways`,
  `endpoints`, their extra codes in `routing_errors`; each registers its lifecycle hooks
  when imported (services/ec2 imports them all).
"""
