"""What happens to an accepted message: the pipeline, the data lake, fault injection, and their runtime."""
