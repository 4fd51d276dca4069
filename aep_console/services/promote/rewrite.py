"""Rewrite a set-up from one org/tenant into another: ids and ``$ref``s, the tenant namespace
(``_tenantA`` keys, ``/_tenantA/…`` paths, ``_tenantA.mixins.…`` alt ids,
``https://ns.adobe.com/tenantA/…`` ids), the IMS org id.

    rw = Rewriter("exchangeinternal", "othertenant", "DEMO…@AdobeOrg", "OTHER…@AdobeOrg")
    rw.ids["https://ns.adobe.com/exchangeinternal/mixins/1"] = "https://ns.adobe.com/othertenant/mixins/9"
    rw.value({"_exchangeinternal": {"id": "https://ns.adobe.com/exchangeinternal/mixins/1"}})
    # → {"_othertenant": {"id": "https://ns.adobe.com/othertenant/mixins/9"}}

Ids are looked up whole first (an id of the source maps to the id the target gave it); what is not
a known id gets only the tenant and org replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rewriter:
    source_tenant: str
    target_tenant: str
    source_org: str = ""
    target_org: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # source id → target id (or a placeholder)

    def __post_init__(self) -> None:
        a = re.escape(self.source_tenant)
        self._key = f"_{self.source_tenant}"
        self._underscore = re.compile(rf"(?<![A-Za-z0-9_])_{a}(?![A-Za-z0-9_])")
        self._ns = f"https://ns.adobe.com/{self.source_tenant}/"

    def value(self, v: Any) -> Any:
        """A deep copy of ``v`` in the target's terms (dict keys and string values)."""
        if isinstance(v, dict):
            return {self.key(k): self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, str):
            return self.text(v)
        return v

    def key(self, k: str) -> str:
        return f"_{self.target_tenant}" if k == self._key else k

    def text(self, s: str) -> str:
        if s in self.ids:
            return self.ids[s]
        if self.source_tenant != self.target_tenant:
            s = s.replace(self._ns, f"https://ns.adobe.com/{self.target_tenant}/")
            s = self._underscore.sub(f"_{self.target_tenant}", s)
        if self.source_org and self.target_org and self.source_org != self.target_org:
            s = s.replace(self.source_org, self.target_org)
        return s

    def record(self, record: Any) -> Any:
        """A data record of the source set-up in the target's terms (only the tenant and org change)."""
        saved, self.ids = self.ids, {}
        try:
            return self.value(record)
        finally:
            self.ids = saved
