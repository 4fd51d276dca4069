"""Why the records of a bulk send were not accepted, in the words that fit the cause.

Two causes look alike in a results table and need opposite fixes:

- **integer ``_id``** (the tutorial's event sample): XDM wants a string; quoting the value fixes the
  file, and nothing else is wrong with the records;
- **the records do not fit the schema** (events sent to the profile dataset, a file for another
  schema): keys the schema does not have, required keys missing. Converting ``_id`` fixes nothing;
  the right dataset does.

``Diagnoser`` reads the first invalid records' reasons (the engine's text, one ``; ``-separated
violation each) and says which it is. Plain Python: the GUI and the command line share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SAMPLE = 200  # invalid records looked at (the first ones: a mismatch shows at once)
_INT_ID = re.compile(r"(\$\._id|#/_id|/_id)\b.{0,80}?expected type: String, found: (Long|Integer|Double|Number)")
_EXTRA = re.compile(r"extraneous key \[([^\]]+)\] is not permitted")
_MISSING = re.compile(r"required key \[([^\]]+)\] not found")
_LOCATION = re.compile(r"^record (\d+) \(line (\d+)\): ")
EVENT_KEYS = {"eventType", "timestamp", "_id"}  # what an ExperienceEvent record carries at its root


def class_kind(meta_class: str) -> str:
    """The XDM class's short human name."""
    if meta_class.endswith("experienceevent"):
        return "XDM ExperienceEvent"
    if meta_class.endswith("/profile"):
        return "XDM Individual Profile"
    return meta_class.rsplit("/", 1)[-1] or "unknown class"


def readable_reason(reason: str) -> str:
    """The engine's reason with its 0-based ``record N (line L)`` prefix as a person counts it."""
    m = _LOCATION.match(reason or "")
    if not m:
        return reason or ""
    return f"Record {int(m.group(1)) + 1:,} (line {m.group(2)}): " + reason[m.end():]


def reason_text(reason: str) -> str:
    """The reason without its location (a results table shows record and line in their own columns)."""
    return _LOCATION.sub("", reason or "", count=1)


@dataclass
class Diagnosis:
    kind: str  # "int_id" | "mismatch" | "invalid" | ""
    text: str
    offer_id_fix: bool = False


@dataclass
class Diagnoser:
    invalid: int = 0
    int_id: int = 0  # records with an integer _id
    id_only: int = 0  # … and no other problem (converting fixes them)
    shape: int = 0  # records with keys the schema lacks or required keys missing
    extra: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    first_id_reason: str = ""
    first_shape_reason: str = ""
    _seen: int = 0

    def add(self, status: str, reason: str | None) -> None:
        if status != "invalid":
            return
        self.invalid += 1
        if self._seen >= SAMPLE or not reason:
            return
        self._seen += 1
        parts = [p for p in reason_text(reason).split("; ") if p]
        ids = [p for p in parts if _INT_ID.search(p)]
        if ids:
            self.int_id += 1
            self.first_id_reason = self.first_id_reason or readable_reason(reason)
            if len(ids) == len(parts):
                self.id_only += 1
        extra = [k for p in parts for k in _EXTRA.findall(p)]
        missing = [k for p in parts for k in _MISSING.findall(p)]
        if extra or missing:
            self.shape += 1
            self.first_shape_reason = self.first_shape_reason or readable_reason(reason)
            for k in extra:
                self.extra[k] = self.extra.get(k, 0) + 1
            for k in missing:
                self.missing[k] = self.missing.get(k, 0) + 1

    def verdict(self, read: int, *, dataset: str = "", schema: str = "", meta_class: str = "",
                sent: bool = False) -> Diagnosis:
        """What to tell the user after a run that read ``read`` records (``sent``: the checks were
        AEP's, not local)."""
        if not self._seen:
            return Diagnosis("", "")
        if self.shape * 2 >= self._seen:
            keys = sorted(self.extra, key=lambda k: -self.extra[k])[:6]
            need = sorted(self.missing, key=lambda k: -self.missing[k])[:4]
            looks = ""
            if meta_class.endswith("/profile") and EVENT_KEYS & set(self.extra):
                looks = " They look like ExperienceEvents (eventType, timestamp) sent to a Profile dataset."
            elif meta_class.endswith("experienceevent") and self.missing.keys() & {"timestamp", "_id"}:
                looks = " They look like profile records sent to an ExperienceEvent dataset."
            target = f"dataset \u201c{dataset}\u201d" if dataset else "the dataset"
            what = f" (schema \u201c{schema}\u201d, {class_kind(meta_class)})" if schema or meta_class else ""
            details = []
            if keys:
                details.append("keys the schema does not have: " + ", ".join(keys))
            if need:
                details.append("required keys missing: " + ", ".join(need))
            return Diagnosis(
                "mismatch",
                f"Wrong dataset? {self.shape:,} of the first {self._seen:,} invalid records do not fit {target}{what}: "
                + "; ".join(details) + "." + looks
                + f" Example: {self.first_shape_reason}. Choose the dataset whose schema these records fit"
                + (" (converting _id would not fix this)." if self.int_id else "."))
        if self.int_id and self.id_only * 2 >= self._seen:
            fate = "AEP refused them." if sent else "None of those was sent."
            return Diagnosis(
                "int_id",
                f"{self.int_id:,} of {read:,} records have an integer _id; XDM requires a string "
                f"(e.g. {self.first_id_reason}). {fate} \u201cConvert _id to string\u201d writes a fixed copy "
                "of the file and selects it.", offer_id_fix=True)
        return Diagnosis("invalid", f"{self.invalid:,} of {read:,} records are not valid against the schema; "
                                    "the results table lists each reason.")
