"""Errors raised by the XDM layer. Each says what is wrong and where."""

from __future__ import annotations


class XDMError(Exception):
    """Base class of the XDM layer's errors."""


class UnknownReferenceError(XDMError):
    """A `$ref` names a resource (or a fragment of one) that the lookup does not know."""

    def __init__(self, ref: str, *, referenced_from: str | None = None):
        self.ref = ref
        self.referenced_from = referenced_from
        where = f" (referenced from {referenced_from})" if referenced_from else ""
        super().__init__(f"unknown $ref {ref!r}{where}")


class IncompatibleFieldGroupError(XDMError):
    """A field group whose `meta:intendedToExtend` does not include the schema's class."""

    def __init__(self, field_group: str, class_id: str, intended: list[str]):
        self.field_group = field_group
        self.class_id = class_id
        self.intended = list(intended)
        super().__init__(
            f"field group {field_group!r} cannot be used with class {class_id!r}: "
            f"its meta:intendedToExtend is {self.intended}"
        )


class SchemaCompositionError(XDMError):
    """A schema that cannot be composed: no class, two classes, a `$ref` cycle, conflicting fields …"""


class TenantNamespaceError(XDMError):
    """A tenant field group that puts fields outside its `_{tenantId}` object."""

    def __init__(self, field_group: str, tenant_id: str, fields: list[str]):
        self.field_group = field_group
        self.tenant_id = tenant_id
        self.fields = list(fields)
        super().__init__(
            f"tenant field group {field_group!r} defines top-level field(s) {self.fields}; "
            f"custom fields must be under '_{tenant_id}'"
        )


class EnvelopeError(XDMError):
    """A streaming message that is not a valid envelope; `pointer` locates the problem (`#/header`)."""

    def __init__(self, message: str, pointer: str = "#"):
        self.pointer = pointer
        self.message = message
        super().__init__(f"{pointer}: {message}")
