"""Application Auto Scaling's domain for ECS services: scalable targets (targets.py),
scaling policies and the alarms target tracking owns (policies.py), scheduled actions
(scheduled.py, with the schedule expressions in schedules.py), activities
(activities.py), the pure arithmetic of a scaling decision (arithmetic.py) and carrying
a decision out on the service (scaling.py)."""
