"""Device identity as the Edge Network hands it to the Web SDK: the ECID and its first-party cookie.

The cookie ``kndctr_<org id with @ as _>_identity`` holds URL-safe base64 of an ``Identity`` protobuf message
(field 1: the ECID string; field 30: the write time), the format alloy's ``decodeKndctrProtobuf`` reads. The
Edge Network tells the page to store it with a ``state:store`` handle and names the ECID in an
``identity:result`` handle; the Web SDK sends the stored value back in ``meta.state.entries``.
"""

from __future__ import annotations

import base64
import secrets
import time

COOKIE_MAX_AGE = 34_128_000  # seconds (395 days), as the Edge Network sets it
CLUSTER = "sbx1"  # the sandbox's one "edge region" (the location hint it hands out)


def cookie_name(org_id: str, name: str) -> str:
    return f"kndctr_{org_id.replace('@', '_')}_{name}"


def mint_ecid() -> str:
    """A new Experience Cloud ID: 38 decimal digits."""
    return "".join(str(secrets.randbelow(10)) for _ in range(38))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(buf: bytes, offset: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if offset >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, offset


def encode_identity_cookie(ecid: str) -> str:
    raw = ecid.encode()
    message = b"\x0a" + _varint(len(raw)) + raw + _varint(30 << 3) + _varint(int(time.time()))
    return base64.urlsafe_b64encode(message).decode().rstrip("=")


def decode_identity_cookie(value: str) -> str | None:
    """The ECID in a ``kndctr_…_identity`` value, or None if it holds none (never raises)."""
    try:
        text = value.strip()
        buf = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        offset = 0
        while offset < len(buf):
            tag, offset = _read_varint(buf, offset)
            field, wire = tag >> 3, tag & 7
            if wire == 2:
                length, offset = _read_varint(buf, offset)
                if field == 1:
                    ecid = buf[offset:offset + length].decode()
                    return ecid if ecid.isdigit() else None
                offset += length
            elif wire == 0:
                _, offset = _read_varint(buf, offset)
            elif wire == 1:
                offset += 8
            elif wire == 5:
                offset += 4
            else:
                return None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def ecid_from_request(org_id: str, state_entries: list, cookies: dict[str, str], identity_map: dict | None) -> str | None:
    """The ECID the caller already has: in the event's ``identityMap``, the state entries alloy sends, or the
    cookie header (a same-site page)."""
    if isinstance(identity_map, dict):
        for item in identity_map.get("ECID") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].isdigit():
                return item["id"]
    name = cookie_name(org_id, "identity")
    for entry in state_entries:
        if isinstance(entry, dict) and entry.get("key") == name and isinstance(entry.get("value"), str):
            ecid = decode_identity_cookie(entry["value"])
            if ecid:
                return ecid
    if name in cookies:
        return decode_identity_cookie(cookies[name])
    return None


def identity_handles(org_id: str, ecid: str, *, new: bool) -> list[dict]:
    """``identity:result`` (the ECID), ``state:store`` (the identity cookie, when minted now or refreshed) and
    ``locationHint:result``, as the Edge Network answers an interact call."""
    handles: list[dict] = [
        {"payload": [{"id": ecid, "namespace": {"code": "ECID"}}], "type": "identity:result"},
        {"payload": [{"scope": "EdgeNetwork", "hint": CLUSTER, "ttlSeconds": 1800}], "type": "locationHint:result"},
    ]
    store = [{"key": cookie_name(org_id, "cluster"), "value": CLUSTER, "maxAge": 1800,
              "attrs": {"SameSite": "None"}}]
    if new:
        store.insert(0, {"key": cookie_name(org_id, "identity"), "value": encode_identity_cookie(ecid),
                         "maxAge": COOKIE_MAX_AGE, "attrs": {"SameSite": "None"}})
    handles.append({"payload": store, "type": "state:store"})
    return handles
