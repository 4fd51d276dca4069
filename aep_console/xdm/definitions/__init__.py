"""The bundled XDM definitions (JSON, Schema Registry form); a package so that the JSON files ship."""
