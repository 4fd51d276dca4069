"""Flow Service: connections, dataflows, connection and flow specs, and the legacy inlet API."""
