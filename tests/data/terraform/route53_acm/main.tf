terraform {
  required_providers { aws = { source = "hashicorp/aws", version = "5.100.0" } }
}
variable "endpoint" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {
    route53 = var.endpoint
    acm     = var.endpoint
    sts     = var.endpoint
  }
}
resource "aws_route53_zone" "main" {
  name = "example.com"
  tags = { env = "dev" }
}
resource "aws_acm_certificate" "cert" {
  domain_name               = "app.example.com"
  subject_alternative_names = ["www.example.com"]
  validation_method         = "DNS"
  tags = { env = "dev" }
  lifecycle { create_before_destroy = true }
}
resource "aws_route53_record" "validation" {
  for_each = {
    for dvo in aws_acm_certificate.cert.domain_validation_options : dvo.domain_name => {
      name   = dvo.resource_record_name
      record = dvo.resource_record_value
      type   = dvo.resource_record_type
    }
  }
  allow_overwrite = true
  name            = each.value.name
  records         = [each.value.record]
  ttl             = 60
  type            = each.value.type
  zone_id         = aws_route53_zone.main.zone_id
}
resource "aws_acm_certificate_validation" "cert" {
  certificate_arn         = aws_acm_certificate.cert.arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}
resource "aws_route53_record" "www" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "www.example.com"
  type    = "CNAME"
  ttl     = 300
  records = ["app.example.com"]
}
