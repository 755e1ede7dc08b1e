"""CloudWatch's domain: the metric store (metrics.py) and alarms (alarms.py), read and
written through a unit of work by the API handlers and the controllers alike."""
