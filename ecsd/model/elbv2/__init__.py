"""ELBv2 (the Application Load Balancer): records, repositories and the rules both the
API handlers and the load-balancing controller need."""
