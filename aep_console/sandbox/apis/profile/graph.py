"""Real-Time Customer Profile, in memory: identity graphs, merged attributes, event index.

One ``ProfileSpace`` per (org, sandbox). Fragments come from Profile-enabled datasets, already
committed to SQLite by the pipeline (the data lake is the source of truth; this index is rebuilt from it
at start-up, see ``profile_store.py``).

- Every identity of a record (descriptor identities + ``identityMap``) is linked into one graph; a record
  whose identities belong to several graphs joins them (stitching).
- Attributes merge by the default policy ("timestampOrdered"): the most recently ingested fragment wins
  per field (deep merge, in ingestion order); ``identityMap`` entries are unioned. The merge is lazy:
  a write appends the fragment's seq, a read folds in what arrived since the last read.
- ExperienceEvents are indexed per graph by ``_id`` (re-ingesting the same ``_id`` replaces it).
"""

from __future__ import annotations

import base64
import hashlib
import sys
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

IdentityKey = tuple[str, str]  # (namespace code lower-cased, id)


def xid_for(ns: str, ident: str) -> str:
    """An opaque, stable 30-character XID for one identity (AEP's XIDs look like this)."""
    digest = hashlib.sha256(f"{ns.lower()}\x00{ident}".encode()).digest()
    return "B" + base64.urlsafe_b64encode(digest).decode("ascii").replace("-", "x").replace("_", "y")[:29]


def deep_merge(dst: dict, src: dict) -> None:
    """Later wins per field; nested objects merge; identityMap arrays are unioned by id.

    No copies: fragments are freshly parsed and owned by the index from here on.
    """
    for key, value in src.items():
        if type(value) is dict:
            cur = dst.get(key)
            if type(cur) is dict:
                if key == "identityMap":
                    _merge_identity_map(cur, value)
                else:
                    deep_merge(cur, value)
                continue
        dst[key] = value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _merge_identity_map(dst: dict, src: dict) -> None:
    for ns, items in src.items():
        if not isinstance(items, list):
            continue
        have = dst.setdefault(ns, [])
        if not isinstance(have, list):
            dst[ns] = have = []
        index = {item.get("id"): i for i, item in enumerate(have) if isinstance(item, dict)}
        for item in items:
            if not isinstance(item, dict):
                continue
            pos = index.get(item.get("id"))
            if pos is None:
                index[item.get("id")] = len(have)
                have.append(_copy(item))
            else:
                have[pos] = {**have[pos], **item}


MAX_TAGS = 100
_NS: dict[str, str] = {}


def ns_key(ns: str) -> str:
    """The namespace part of an identity key: lower-cased, one shared string per namespace."""
    low = _NS.get(ns)
    if low is None:
        low = _NS[ns] = sys.intern(ns.lower())
    return low


@dataclass(slots=True, eq=False)
class Profile:
    """One identity graph. Kept small (slots, lazily created containers, seqs in an array): a sandbox
    may hold millions of them."""

    first: IdentityKey  # the graph's first identity; its XID is the profile's entityId
    created_seq: int
    identities: dict[IdentityKey, list] = field(default_factory=dict)  # key -> [ns code, id, primary]
    fragments: array = field(default_factory=lambda: array("q"))  # seqs of record fragments, in order
    merged: dict | None = None  # merge of fragments[:merged_upto] (filled on read)
    merged_upto: int = 0
    sources: list[str] = field(default_factory=list)  # dataset ids, first-seen order
    tags: list[str] = field(default_factory=list)  # batch ids (the latest MAX_TAGS)
    events: dict[str, tuple[int, int]] | None = None  # event _id -> (timestamp ms, seq)
    modified_ms: int = 0
    _xid: str | None = None

    @property
    def xid(self) -> str:
        if self._xid is None:
            self._xid = xid_for(*self.first)
        return self._xid

    def touch(self, dataset_id: str, batch_id: str, received_ms: int) -> None:
        if dataset_id not in self.sources:
            self.sources.append(dataset_id)
        tags = self.tags
        if not tags or tags[-1] != batch_id:
            if batch_id in tags:
                tags.remove(batch_id)
            tags.append(batch_id)
            if len(tags) > MAX_TAGS:
                del tags[0]
        if received_ms > self.modified_ms:
            self.modified_ms = received_ms


class ProfileSpace:
    """All profiles of one org + sandbox."""

    def __init__(self, load_fragments: Callable[[list[int]], Iterable[dict]]) -> None:
        self._by_identity: dict[IdentityKey, Profile] = {}
        self._by_xid: dict[str, IdentityKey] = {}  # filled lazily (hashing costs, lookups by XID are rare)
        self._xid_pending: list[IdentityKey] = []
        self._load_fragments = load_fragments  # seqs -> entities (committed rows), used when graphs join
        self.event_types: dict[str, int] = {}

    # -- writes -----------------------------------------------------------------------------------

    def _profile_for(self, idents: list[list], seq: int) -> Profile:
        by_identity = self._by_identity
        if len(idents) == 1:
            ns, ident, _primary = idents[0]
            key = (ns_key(ns), ident)
            prof = by_identity.get(key)
            return prof if prof is not None else Profile(first=key, created_seq=seq)
        found: list[Profile] = []
        for ns, ident, _primary in idents:
            prof = by_identity.get((ns_key(ns), ident))
            if prof is not None and not any(p is prof for p in found):
                found.append(prof)
        if not found:
            ns, ident, _ = idents[0]
            return Profile(first=(ns_key(ns), ident), created_seq=seq)
        if len(found) == 1:
            return found[0]
        found.sort(key=lambda p: p.created_seq)
        keep = found[0]
        for other in found[1:]:
            self._absorb(keep, other)
        keep.merged = None
        keep.merged_upto = 0  # re-merged from all fragments, in ingestion order, on the next read
        return keep

    def _absorb(self, keep: Profile, other: Profile) -> None:
        for key, value in other.identities.items():
            keep.identities.setdefault(key, value)
            self._by_identity[key] = keep
        keep.fragments = array("q", sorted(set(keep.fragments) | set(other.fragments)))
        keep.sources += [d for d in other.sources if d not in keep.sources]
        keep.tags = (keep.tags + [t for t in other.tags if t not in keep.tags])[-MAX_TAGS:]
        if other.events:
            if keep.events is None:
                keep.events = {}
            for eid, val in other.events.items():
                if eid not in keep.events or keep.events[eid][1] < val[1]:
                    keep.events[eid] = val
        keep.modified_ms = max(keep.modified_ms, other.modified_ms)

    def _link(self, prof: Profile, idents: list[list]) -> None:
        have_all = prof.identities
        for ns, ident, primary in idents:
            key = (ns_key(ns), ident)
            have = have_all.get(key)
            if have is None:
                have_all[key] = [ns, ident, bool(primary)]
                self._by_identity[key] = prof
                self._xid_pending.append(key)
            elif primary and not have[2]:
                have[2] = True

    def apply_record(self, seq: int, idents: list[list], entity: dict, dataset_id: str, batch_id: str,
                     received_ms: int) -> Profile | None:
        if not idents:
            return None
        prof = self._profile_for(idents, seq)
        self._link(prof, idents)
        prof.fragments.append(seq)
        prof.touch(dataset_id, batch_id, received_ms)
        return prof

    def apply_event(self, seq: int, idents: list[list], event_id: str, ts_ms: int, dataset_id: str,
                    batch_id: str, received_ms: int, event_type: str | None = None) -> Profile | None:
        if not idents:
            return None
        prof = self._profile_for(idents, seq)
        self._link(prof, idents)
        if prof.events is None:
            prof.events = {}
        prof.events[event_id] = (ts_ms, seq)
        prof.touch(dataset_id, batch_id, received_ms)
        if event_type:
            self.event_types[event_type] = self.event_types.get(event_type, 0) + 1
        return prof

    # -- reads ------------------------------------------------------------------------------------

    def entity(self, prof: Profile) -> dict:
        """The merged attributes: fragments not merged yet are read back from the data lake and folded
        in, in ingestion order (later wins per field). Writes only append a fragment's seq, so streaming
        pays nothing for merging; a read pays for the fragments that arrived since the previous read."""
        if prof.merged_upto < len(prof.fragments):
            pending = list(prof.fragments[prof.merged_upto:])
            merged = prof.merged
            for entity in self._load_fragments(pending):
                if merged:
                    deep_merge(merged, entity)
                else:
                    merged = entity
            prof.merged = merged
            prof.merged_upto = len(prof.fragments)
        return prof.merged or {}

    def find(self, entity_id: str, ns: str | None) -> Profile | None:
        if ns:
            return self._by_identity.get((ns_key(ns), entity_id))
        if self._xid_pending:
            by_xid = self._by_xid
            for key in self._xid_pending:
                by_xid[xid_for(*key)] = key
            self._xid_pending = []
        key = self._by_xid.get(entity_id)
        return self._by_identity.get(key) if key else None

    def remove(self, prof: Profile) -> list[int]:
        """Forget a profile (``DELETE /access/entities``): its identities stop resolving; returns the seqs of
        its record fragments and events, for the data lake to leave out of later rebuilds."""
        for key in prof.identities:
            if self._by_identity.get(key) is prof:
                del self._by_identity[key]
        self._by_xid = {x: k for x, k in self._by_xid.items() if k not in prof.identities}
        self._xid_pending = [k for k in self._xid_pending if k not in prof.identities]
        return [*prof.fragments, *(seq for _ts, seq in (prof.events or {}).values())]

    def __len__(self) -> int:
        return len({id(p) for p in self._by_identity.values()})
