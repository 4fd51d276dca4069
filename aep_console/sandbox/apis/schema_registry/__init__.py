"""Schema Registry: reads and resolution, writes, descriptors, Accept rules, and the routes."""
