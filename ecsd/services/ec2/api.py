"""The EC2 provider object (botocore's `ec2` protocol: protocols/ec2.py)."""

from ...aws.provider import Provider

ec2 = Provider("ec2")
