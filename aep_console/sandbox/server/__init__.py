"""The server itself: the command line, its configuration, the ASGI app and the long-lived services."""
