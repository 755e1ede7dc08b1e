# The provider pointed at ecsd (`ecsd serve` on its default port 4600). The book's
# article serves from Tokyo (ap-northeast-1).
provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true # no STS GetCallerIdentity check of the fake keys
  skip_requesting_account_id  = true # no account-id lookup through STS/IAM at start-up
  skip_metadata_api_check     = true # no probe of 169.254.169.254 (hangs off EC2)
  skip_region_validation      = true # any region name, not only the provider's list

  endpoints {
    acm                    = "http://127.0.0.1:4600"
    applicationautoscaling = "http://127.0.0.1:4600"
    cloudwatch             = "http://127.0.0.1:4600"
    ec2                    = "http://127.0.0.1:4600"
    ecr                    = "http://127.0.0.1:4600"
    ecs                    = "http://127.0.0.1:4600"
    elbv2                  = "http://127.0.0.1:4600"
    iam                    = "http://127.0.0.1:4600"
    logs                   = "http://127.0.0.1:4600"
    route53                = "http://127.0.0.1:4600"
    secretsmanager         = "http://127.0.0.1:4600"
    ssm                    = "http://127.0.0.1:4600"
    sts                    = "http://127.0.0.1:4600"
  }
}
