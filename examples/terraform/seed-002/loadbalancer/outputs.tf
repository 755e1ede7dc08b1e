# What listing 9.4 reads from this module.
output "alb_dns_name" {
  value = aws_lb.example.dns_name
}

output "vpc_id" {
  value = aws_vpc.example.id
}

output "aws_vpc_example_cidr_block" {
  value = aws_vpc.example.cidr_block
}

output "aws_subnet_private_0_id" {
  value = aws_subnet.private_0.id
}

output "aws_subnet_private_1_id" {
  value = aws_subnet.private_1.id
}

output "aws_lb_target_group_example_arn" {
  value = aws_lb_target_group.example.arn
}
