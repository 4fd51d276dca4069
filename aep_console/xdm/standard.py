"""The project's own definitions of the standard XDM resources (Schema Registry form, Platform names).

The JSON files under `definitions/` were derived from the adobe/xdm repository (CC-BY-4.0, see
`definitions/_source.json`) by `tools/gen_definitions.py`; the files are what ships. Field names follow
`aep_console.xdm.names` (`xdm:` dropped, `@id` → `_id`, `repo:x` → `_repo.x`, …).

Bundled: classes XDM Individual Profile and XDM ExperienceEvent; behaviors record and time-series;
field groups identitymap, profile-person-details, profile-personal-details, profile-work-details,
profile-loyalty-details, experienceevent-loyalty-details, experienceevent-commerce,
experienceevent-web, experienceevent-environment-details, product-measurement; and every data type
they reference. Hand-written (not in adobe/xdm): the AEP Web SDK ExperienceEvent field group and its
implementation-details data type (see `_source.json`). Not bundled: `https://ns.adobe.com/xdm/common/extensible` (the JSON-LD `@context`
base, which adds no Platform field; `resolve_schema` ignores references to it).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

PROFILE = "https://ns.adobe.com/xdm/context/profile"
EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
RECORD = "https://ns.adobe.com/xdm/data/record"
TIME_SERIES = "https://ns.adobe.com/xdm/data/time-series"
IDENTITY_MAP = "https://ns.adobe.com/xdm/context/identitymap"
IDENTITY_ITEM = "https://ns.adobe.com/xdm/context/identityitem"
PROFILE_PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"
PROFILE_PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"
PROFILE_WORK_DETAILS = "https://ns.adobe.com/xdm/context/profile-work-details"
PROFILE_LOYALTY_DETAILS = "https://ns.adobe.com/xdm/mixins/profile/profile-loyalty-details"
EVENT_LOYALTY_DETAILS = "https://ns.adobe.com/xdm/context/experienceevent-loyalty-details"
EVENT_COMMERCE = "https://ns.adobe.com/xdm/context/experienceevent-commerce"
EVENT_WEB = "https://ns.adobe.com/xdm/context/experienceevent-web"
EVENT_ENVIRONMENT_DETAILS = "https://ns.adobe.com/xdm/context/experienceevent-environment-details"
EVENT_WEB_SDK = "https://ns.adobe.com/experience/aep-web/aepwebsdkexperienceevent"
IMPLEMENTATION_DETAILS = "https://ns.adobe.com/xdm/context/implementationdetails"
EXTENSIBLE = "https://ns.adobe.com/xdm/common/extensible"


@lru_cache(maxsize=1)
def _load() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted(DEFINITIONS_DIR.rglob("*.json")):
        if path.name.startswith("_"):
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["$id"] in found:
            raise RuntimeError(f"duplicate $id {doc['$id']} in {path}")
        found[doc["$id"]] = doc
    return found


def load_standard() -> dict[str, dict]:
    """All bundled resources keyed by `$id` (loaded once; treat the resources as read-only)."""
    return dict(_load())


def standard_lookup(ref: str) -> dict | None:
    """A `lookup` for `resolve_schema` over the bundled resources (by `$id` or `meta:altId`)."""
    data = _load()
    if ref in data:
        return data[ref]
    for doc in data.values():
        if doc.get("meta:altId") == ref:
            return doc
    return None
