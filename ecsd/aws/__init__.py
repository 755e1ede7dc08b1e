"""The AWS wire layer: it knows AWS protocols, not ECS.

Requests are recognised (which service, which operation), parsed and validated against
botocore's own service models, handed to a provider as plain Python values, and the
provider's answer (or error) is serialised back in the service's protocol. Nothing in
here is written per operation.
"""
