"""The keyring facade against a real Secret Service, no backend at all, and a locked keyring."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail, null

from aep_console.services.credentials import SERVICE_NAME, CredentialStore, KeyringUnavailable, select_backend

CANARY = "canary-secret-5f0c1e7d-do-not-leak"


def test_secret_service_roundtrip_and_backend_reported(secret_service, app_home):
    store = CredentialStore()
    info = store.set_secret("My AEP", CANARY)
    assert not info.session_only
    assert info.backend_class == "keyring.backends.SecretService.Keyring"
    assert "Secret Service" in info.name and "Secret Service" in info.describe()
    # really in the Secret Service, under our service name and the profile key
    assert secret_service.get_password(SERVICE_NAME, "My AEP") == CANARY
    assert CredentialStore().get_secret("My AEP") == CANARY
    store.rename("My AEP", "Renamed")
    assert store.get_secret("My AEP") is None and store.get_secret("Renamed") == CANARY
    store.delete_secret("Renamed")
    store.delete_secret("Renamed")  # deleting twice is fine
    assert secret_service.get_password(SERVICE_NAME, "Renamed") is None
    # nothing of it in the console's own files
    for path in app_home.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def test_no_backend_is_one_clear_error_then_session_only():
    store = CredentialStore(fail.Keyring())
    with pytest.raises(KeyringUnavailable) as err:
        store.set_secret("p", CANARY)
    assert err.value.title == "No secure keyring available"
    assert "Secret Service" in err.value.advice and "session only" in err.value.advice
    assert CANARY not in str(err.value)
    store.use_session_only()
    info = store.set_secret("p", CANARY)
    assert info.session_only and "session only" in info.describe()
    assert store.get_secret("p") == CANARY
    assert CredentialStore(session_only=True).get_secret("p") is None  # memory of that store only


def test_default_fail_keyring_is_refused(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(KeyringUnavailable):
            CredentialStore().backend_info()
    finally:
        keyring.set_keyring(previous)


def test_null_and_plaintext_backends_are_refused():
    with pytest.raises(KeyringUnavailable):
        select_backend(null.Keyring())

    class PlaintextKeyring(keyring.backend.KeyringBackend):  # looks like keyrings.alt's
        priority = 1

        def get_password(self, s, u): ...
        def set_password(self, s, u, p): ...
        def delete_password(self, s, u): ...

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    with pytest.raises(KeyringUnavailable):
        select_backend(PlaintextKeyring())


def test_chainer_picks_the_secure_backend(memory_keyring):
    from keyring.backends.chainer import ChainerBackend

    class Chain(ChainerBackend):
        backends = [fail.Keyring(), memory_keyring]  # noqa: RUF012

    assert select_backend(Chain()) is memory_keyring


def test_locked_keyring_is_one_clear_error(locked_secret_service):
    store = CredentialStore()
    with pytest.raises(KeyringUnavailable) as err:
        store.set_secret("p", CANARY)
    assert err.value.locked
    assert "locked" in err.value.title and "Unlock" in err.value.advice
    assert CANARY not in str(err.value)
    store.use_session_only()
    store.set_secret("p", CANARY)
    assert store.get_secret("p") == CANARY


def test_keyring_locked_after_use(secret_service):
    import secretstorage

    store = CredentialStore()
    store.set_secret("p", CANARY)
    conn = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(conn).lock()
    finally:
        conn.close()
    with pytest.raises(KeyringUnavailable) as err:
        CredentialStore().get_secret("p")
    assert err.value.locked
