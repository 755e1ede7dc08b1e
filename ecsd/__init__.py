"""ecsd: Amazon ECS and its neighbours, run on your own machine with real containers."""

__version__ = "0.1.0"
