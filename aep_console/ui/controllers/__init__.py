"""Controllers: own the coroutines, run them through the TaskRunner, hand plain values to widgets."""
