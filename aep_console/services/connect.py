"""Open an ``AEPSession`` for a connection profile: secret from the keyring (read when a token is
needed, never kept by the session), every exchange into the history, tenant id discovered once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..aep.config import ClientCredentials
from ..aep.session import AEPSession
from ..logging_setup import REDACTOR
from .credentials import CredentialStore
from .history import BODY_LIMIT, HistoryStore
from .profiles import ConnectionProfile, ProfileStore


def open_session(profile: ConnectionProfile, *, profiles: ProfileStore | None = None,
                 credentials: CredentialStore | None = None, history: HistoryStore | Any | None = None,
                 secret: str | Callable[[], str] | None = None,
                 on_exchange: Callable[[Any], None] | None = None, **session_options: Any) -> AEPSession:
    """An ``AEPSession`` for ``profile``. ``secret`` overrides the keyring (e.g. typed for this run
    only; a callable is asked when a token is needed). ``history``: anything with ``hook(profile)``
    and ``add_secret(value)`` (the store, or the window's writer thread); ``on_exchange`` is called
    after it for every exchange (the window's inspector)."""
    store = profiles or ProfileStore(credentials=credentials)
    profile.validate()

    def get_secret() -> str:
        given = secret() if callable(secret) else secret
        value = given or store.secret_for(profile)
        REDACTOR.add_secret(value)  # a log line or crash text that quotes it shows a mask instead
        if history is not None:
            history.add_secret(value)
        return value

    creds = ClientCredentials(profile.client_id, get_secret, profile.scopes)
    # the history keeps the first BODY_LIMIT characters of a body: redacting more would be wasted work
    session_options.setdefault("exchange_body_limit", BODY_LIMIT)
    hooks = [h for h in (history.hook(profile.name) if history is not None else None, on_exchange) if h]
    hook = hooks[0] if len(hooks) == 1 else (lambda ex: [h(ex) for h in hooks]) if hooks else None
    return AEPSession(profile.endpoints(), creds, profile.org_id, profile.sandbox_name, on_exchange=hook,
                      **session_options)


async def discover_tenant(session: AEPSession, profile: ConnectionProfile,
                          profiles: ProfileStore | None = None) -> str:
    """The tenant id from the Schema Registry's ``/stats``; saved into the profile when it changed."""
    tenant = await session.schemas.tenant_id()
    if tenant and tenant != profile.tenant_id:
        profile.tenant_id = tenant
        if profiles is not None and profiles.has_file(profile.name):
            profiles.save(profile)
    return tenant
