"""Reconcile loops: each compares desired state in the store with what is observed and
takes the next step. Level-based: wake-ups (API writes, Docker events) only make them
look sooner; a periodic resync catches everything else, so a missed event or a crash
costs a few seconds, never correctness."""
