"""Streaming ingestion (DCS): the collection endpoints and their answers in AEP's shapes."""
