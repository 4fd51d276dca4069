"""The sandbox's SQLite store (the only place that opens it), Catalog batches and read-side lookups."""
