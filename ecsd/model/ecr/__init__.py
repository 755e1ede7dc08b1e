"""ECR's domain: repositories, images and tags, blobs on disk, uploads, and the registry
passwords. The ECR API handlers (services/ecr/) and the registry's HTTP side
(ecsd/registry/) both work through the named functions here, so a push over `/v2/` shows
up in DescribeImages at once and an API delete is seen by the next pull."""
