"""The Profile index of every (org, sandbox), rebuilt from the data lake at start-up, and the read
models the Profile Access API answers with.

Write-through: the pipeline applies a request's fragments right after its COMMIT, so a profile is visible
in ``/access/entities`` as soon as the 200 is sent; after a restart ``rebuild`` replays the committed rows
(in ingestion order) and gives the same graphs and merged attributes.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

from .graph import Profile, ProfileSpace, xid_for

MAX_GRAPH_IDENTITIES = 50


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def default_merge_policy(org: str, sandbox: str) -> dict[str, Any]:
    pid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-sandbox:merge-policy:{org}:{sandbox}:default"))
    return {
        "id": pid,
        "name": "Default Timebased",
        "imsOrgId": org,
        "sandbox": {"sandboxId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-sandbox:{org}:{sandbox}")),
                    "sandboxName": sandbox, "type": "production" if sandbox == "prod" else "development",
                    "default": sandbox == "prod"},
        "schema": {"name": "_xdm.context.profile"},
        "version": 1,
        "identityGraph": {"type": "pdg"},
        "attributeMerge": {"type": "timestampOrdered"},
        "default": True,
        "isActiveOnEdge": False,
        "updateEpoch": 1551660639,
    }


class ProfileIndex:
    def __init__(self, lake) -> None:
        self.lake = lake
        self.spaces: dict[tuple[str, str], ProfileSpace] = {}
        self.ready = asyncio.Event()  # set once the start-up rebuild has replayed the data lake

    def space(self, org: str, sandbox: str) -> ProfileSpace:
        key = (org, sandbox)
        sp = self.spaces.get(key)
        if sp is None:
            sp = self.spaces[key] = ProfileSpace(self._load_fragments)
        return sp

    def _load_fragments(self, seqs: list[int]) -> Iterable[dict]:
        raw = self.lake.entities(seqs)
        for seq in seqs:
            if seq in raw:
                yield orjson.loads(raw[seq])

    async def rebuild(self, chunk: int = 20_000) -> int:
        """Replay every committed Profile fragment in ingestion order; returns how many.

        Runs in the background at start-up on a connection of its own (a WAL snapshot of the rows that
        exist now), yielding to the event loop between chunks, so the server answers health checks and
        takes messages meanwhile; Profile reads and the Profile step of new messages wait for ``ready``.
        """
        n = 0
        conn = self.lake.store.connect(isolation_level="")
        try:
            cur = conn.execute(
                "SELECT r.seq, b.org, b.sandbox, r.kind, r.idents, r.dataset_id, r.batch_id, r.received, "
                "r.event_id, r.ts, r.event_type FROM dl_records r JOIN batches b ON b.id = r.batch_id "
                "WHERE r.kind > 0 AND r.seq < ? ORDER BY r.seq", (self.lake.next_seq,))
            loads = orjson.loads
            while True:
                rows = cur.fetchmany(chunk)
                if not rows:
                    break
                for seq, org, sandbox, kind, idents, ds, batch, received, event_id, ts, event_type in rows:
                    space = self.space(org, sandbox)
                    if kind == 1:
                        space.apply_record(seq, loads(idents), None, ds, batch, received)
                    else:
                        space.apply_event(seq, loads(idents), event_id, ts or 0, ds, batch, received, event_type)
                n += len(rows)
                await asyncio.sleep(0)
        finally:
            conn.close()
            self.ready.set()
        return n

    async def delete_profile(self, space: ProfileSpace, prof) -> int:
        """Delete a profile from the Profile store (not from the data lake, as AEP): its rows keep their data
        but are marked (``kind`` negated) so that the start-up rebuild leaves them out. Runs on the lake's
        writer thread, after every commit submitted before it."""
        seqs = space.remove(prof)

        def forget() -> None:
            with self.lake.store.transaction() as conn:
                conn.executemany("UPDATE dl_records SET kind = -kind WHERE seq = ? AND kind > 0", [(s,) for s in seqs])

        await self.lake.run(forget)
        return len(seqs)

    async def wait_ready(self) -> None:
        if not self.ready.is_set():
            await self.ready.wait()

    # --- read models -------------------------------------------------------------------------------

    def entity_doc(self, space: ProfileSpace, prof: Profile, fields: list[str] | None, policy: dict,
                   requested: dict | None = None) -> dict[str, Any]:
        entity: dict[str, Any] = dict(space.entity(prof))
        if fields:
            if "identities" in fields:
                entity["identities"] = identities_of(prof)
            entity = filter_fields(entity, fields)
        doc: dict[str, Any] = {}
        if requested is not None:
            doc["requestedIdentity"] = requested
        doc.update({
            "entityId": prof.xid,
            "mergePolicy": {"id": policy["id"]},
            "sources": list(prof.sources),
            "tags": list(prof.tags),
            "identityGraph": [xid_for(v[0], v[1]) for v in prof.identities.values()],
            "entity": entity,
            "lastModifiedAt": iso(prof.modified_ms),
        })
        return doc

    def events_of(self, prof: Profile) -> list[tuple[int, str, int]]:
        """(timestamp ms, event _id, seq), ascending."""
        return sorted((ts, eid, seq) for eid, (ts, seq) in (prof.events or {}).items())


def identities_of(prof: Profile) -> list[dict]:
    out = []
    for ns, ident, primary in prof.identities.values():
        item: dict[str, Any] = {"id": ident, "namespace": {"code": ns}}
        if primary:
            item["primary"] = True
        out.append(item)
    return out


def filter_fields(entity: dict, fields: list[str]) -> dict:
    """Keep only the dotted paths in ``fields`` (``person.name,workEmail``)."""
    out: dict = {}
    for path in fields:
        parts = [p for p in path.strip().split(".") if p]
        if not parts:
            continue
        src: Any = entity
        for part in parts:
            if not isinstance(src, dict) or part not in src:
                src = None
                break
            src = src[part]
        if src is None:
            continue
        dst = out
        for part in parts[:-1]:
            dst = dst.setdefault(part, {})
        dst[parts[-1]] = src
    return out


def too_many_identities(prof: Profile) -> bool:
    return len(prof.identities) > MAX_GRAPH_IDENTITIES
