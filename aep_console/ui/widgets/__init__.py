"""Reusable widgets: plain Qt, no I/O, no async methods."""
