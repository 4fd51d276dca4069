"""XDM layer: the standard definitions, schema composition, validation, envelopes and identities.

No Qt, no network. Public API:
- `standard.load_standard()`, `standard.standard_lookup(ref)` — the bundled resources (Registry form);
- `resolve.resolve_schema(schema, lookup)` — the `xed-full` form; `resolve.tenant_field_group(...)`;
- `validate.compile_validator(resolved)` → `RecordValidator.validate(entity, limit=None)` → `[Violation]`,
  `validate.streaming_validation_report(violations)`;
- `envelope.build_envelope(...)`, `envelope.parse_envelope(msg)`;
- `identity.extract_identities(entity, descriptors)`, `identity.require_primary_identity(resolved, descriptors)`;
- `template.make_template(resolved, primary_identity=(namespace, source_property))`;
- `paths.pointer_to_path` / `paths.path_to_pointer`; `names.platform_name` (the Platform-name rule).
"""
