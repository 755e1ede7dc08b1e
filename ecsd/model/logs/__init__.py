"""CloudWatch Logs' domain: log group, stream and event rows, and the batched ingestion
of container output (the awslogs driver's sink) that the task controller writes through."""
