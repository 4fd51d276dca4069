"""apis.schema_registry"""
