"""Helpers for the sandbox tests : tokens and an authenticated Platform client."""

from __future__ import annotations

import uuid

import httpx

XED = "application/vnd.adobe.xed+json"
XED_FULL_V1 = "application/vnd.adobe.xed-full+json; version=1"
XED_V1 = "application/vnd.adobe.xed+json; version=1"
XED_ID = "application/vnd.adobe.xed-id+json"


_CLIENT: httpx.Client | None = None


def shared_client() -> httpx.Client:
    """One plain client for one-off calls (creating an httpx client costs ~40 ms: its SSL context)."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = httpx.Client(timeout=30)
    return _CLIENT


def fetch_token(proc, creds=None, **form) -> dict:
    creds = creds or proc.credentials
    data = {
        "grant_type": "client_credentials",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "scope": creds.scopes,
        **form,
    }
    resp = shared_client().post(f"{proc.urls.ims}/ims/token/v3", data=data)
    assert resp.status_code == 200, resp.text
    return resp.json()


class Platform:
    """A sync client on the sandbox's Platform base with the gateway headers of one org/sandbox."""

    def __init__(self, proc, creds=None, sandbox_name: str | None = None, token: str | None = None):
        self.proc = proc
        self.creds = creds or proc.credentials
        self.token = token or fetch_token(proc, self.creds)["access_token"]
        self.sandbox_name = sandbox_name or self.creds.sandbox_name
        self.headers = {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": self.creds.client_id,
            "x-gw-ims-org-id": self.creds.org_id,
            "x-sandbox-name": self.sandbox_name,
        }
        self.client = httpx.Client(base_url=proc.urls.platform, headers=self.headers, timeout=30)

    @property
    def tenant(self) -> str:
        return self.creds.tenant_id

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        return self.client.request(method, path, **kw)

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, **kw):
        return self.client.post(path, **kw)

    def patch(self, path, **kw):
        return self.client.patch(path, **kw)

    def put(self, path, **kw):
        return self.client.put(path, **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, **kw)

    def close(self):
        self.client.close()


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
