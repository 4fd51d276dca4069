"""The keyring facade: client secrets live in the OS keyring, or in memory for this run only.

- service name ``aep-console``, one entry per connection profile (the key is the profile name);
- only secure backends are used: Secret Service (GNOME Keyring, KWallet 5+ via Secret Service),
  macOS Keychain, Windows Credential Locker, KWallet. ``fail``/``null`` and the plaintext or
  "encrypted" file keyrings of ``keyrings.alt`` are refused, never silently used;
- no usable backend, or a locked one → ``KeyringUnavailable`` with a title and advice; the caller
  may then switch to session-only mode (secret kept in this process's memory, gone on exit);
- the secret is never written to a file, a log line or an exception text.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE_NAME = "aep-console"

# module prefixes of backends that store in the clear or do not store at all
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_KNOWN = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Locker",
    "keyring.backends.kwallet": "KDE KWallet",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
}

_ADVICE_NO_BACKEND = (
    "On Linux, install and start a Secret Service provider "
    "(GNOME Keyring or KWallet) in your desktop session; on a headless machine, run inside "
    "`dbus-run-session` with `gnome-keyring-daemon --unlock`. Until then you can keep the secret "
    "for this session only (it is forgotten when the console exits)."
)
_ADVICE_LOCKED = (
    "Unlock it (log in to your desktop session or open your keyring manager) and try again, "
    "or keep the secret for this session only."
)


class CredentialError(Exception):
    """Base of the credential errors: ``title`` for a dialog, ``advice`` for what to do."""

    def __init__(self, title: str, advice: str) -> None:
        super().__init__(f"{title}. {advice}")
        self.title = title
        self.advice = advice


class KeyringUnavailable(CredentialError):
    """No secure backend, a refused (plaintext/fail) backend, or a locked/broken keyring."""

    def __init__(self, title: str, advice: str, *, locked: bool = False) -> None:
        super().__init__(title, advice)
        self.locked = locked


class SecretMissing(CredentialError):
    """No secret stored for this profile."""


@dataclass(frozen=True)
class BackendInfo:
    name: str  # human name, e.g. "Secret Service (GNOME Keyring / KWallet)"
    backend_class: str  # module.Class
    session_only: bool  # True: secrets are kept in memory for this run only

    def describe(self) -> str:
        if self.session_only:
            return "session only (kept in memory, forgotten when the console exits)"
        return f"{self.name} [{self.backend_class}]"


def _class_path(ring: KeyringBackend) -> str:
    return f"{type(ring).__module__}.{type(ring).__qualname__}"


def is_refused(ring: KeyringBackend) -> bool:
    return type(ring).__module__.startswith(_REFUSED_MODULES) or "plaintext" in type(ring).__name__.lower()


def backend_name(ring: KeyringBackend) -> str:
    mod = type(ring).__module__
    for prefix, name in _KNOWN.items():
        if mod.startswith(prefix):
            return name
    return getattr(ring, "name", type(ring).__name__)


def select_backend(ring: KeyringBackend | None = None) -> KeyringBackend:
    """The keyring to use: the configured one if secure, else the best secure one it chains to."""
    ring = ring if ring is not None else _configured_keyring()
    candidates = list(getattr(ring, "backends", None) or [ring]) if _is_chainer(ring) else [ring]
    usable = [r for r in candidates if not is_refused(r)]
    if not usable:
        found = ", ".join(_class_path(r) for r in candidates) or "none"
        raise KeyringUnavailable("No secure keyring available", f"{_ADVICE_NO_BACKEND} (found: {found})")
    return max(usable, key=lambda r: getattr(r, "priority", 0))


def _configured_keyring() -> KeyringBackend:
    """keyring's choice; a ``PYTHON_KEYRING_BACKEND`` (or keyringrc) naming no loadable class is a
    clear error instead of an import traceback."""
    try:
        return keyring.get_keyring()
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        named = os.environ.get("PYTHON_KEYRING_BACKEND")
        where = f"PYTHON_KEYRING_BACKEND={named!r}" if named else "the keyring configuration (keyringrc.cfg)"
        raise KeyringUnavailable(
            f"The keyring backend named by {where} cannot be loaded ({type(exc).__name__})",
            "Name an installed backend class (e.g. keyring.backends.SecretService.Keyring) or unset it; "
            "or keep the secret for this session only.") from None


def _is_chainer(ring: KeyringBackend) -> bool:
    from keyring.backends.chainer import ChainerBackend

    return isinstance(ring, ChainerBackend)


class CredentialStore:
    """Client secrets per connection profile.

    ``CredentialStore()`` picks the keyring; ``CredentialStore(session_only=True)`` never touches
    one. Methods raise ``KeyringUnavailable`` (title + advice) when the keyring cannot be used;
    ``use_session_only()`` then switches this store to memory for the rest of the run.
    """

    def __init__(self, backend: KeyringBackend | None = None, *, session_only: bool = False) -> None:
        self._lock = threading.RLock()
        self._memory: dict[str, str] = {}
        self._session_only = session_only
        self._explicit = backend
        self._backend: KeyringBackend | None = None

    # --- backend ---------------------------------------------------------------------------
    @property
    def session_only(self) -> bool:
        return self._session_only

    def use_session_only(self) -> None:
        with self._lock:
            self._session_only = True

    def backend(self) -> KeyringBackend:
        with self._lock:
            if self._backend is None:
                self._backend = select_backend(self._explicit)
            return self._backend

    def backend_info(self) -> BackendInfo:
        """What stores the secrets (raises ``KeyringUnavailable`` if nothing secure does)."""
        if self._session_only:
            return BackendInfo("session only", "memory", True)
        ring = self.backend()
        return BackendInfo(backend_name(ring), _class_path(ring), False)

    # --- secrets ---------------------------------------------------------------------------
    def set_secret(self, profile: str, secret: str) -> BackendInfo:
        """Store ``secret`` for ``profile``; returns where it went (to tell the user)."""
        if not secret:
            raise ValueError("empty client secret")
        with self._lock:
            if self._session_only:
                self._memory[profile] = secret
                return self.backend_info()
            ring = self.backend()
            self._call(ring, "store", lambda: ring.set_password(SERVICE_NAME, profile, secret))
            self._memory.pop(profile, None)
            return self.backend_info()

    def get_secret(self, profile: str) -> str | None:
        with self._lock:
            if profile in self._memory:
                return self._memory[profile]
            if self._session_only:
                return None
            ring = self.backend()
            return self._call(ring, "read", lambda: ring.get_password(SERVICE_NAME, profile))

    def require_secret(self, profile: str) -> str:
        secret = self.get_secret(profile)
        if not secret:
            where = "this session" if self._session_only else self.backend_info().name
            raise SecretMissing(
                f"No client secret stored for profile {profile!r}",
                f"Enter the client secret of the profile (it is kept in {where}), or import the "
                "Developer Console credential again.",
            )
        return secret

    def delete_secret(self, profile: str) -> None:
        with self._lock:
            self._memory.pop(profile, None)
            if self._session_only:
                return
            ring = self.backend()
            try:
                self._call(ring, "delete", lambda: ring.delete_password(SERVICE_NAME, profile))
            except KeyringUnavailable as exc:
                if isinstance(exc.__cause__, keyring.errors.PasswordDeleteError):
                    return
                raise

    def rename(self, old: str, new: str) -> None:
        secret = self.get_secret(old)
        if secret:
            self.set_secret(new, secret)
            self.delete_secret(old)

    def _call(self, ring: KeyringBackend, verb: str, fn):
        try:
            return fn()
        except keyring.errors.PasswordDeleteError as exc:
            raise KeyringUnavailable(f"Nothing to delete in {backend_name(ring)}", "") from exc
        except keyring.errors.KeyringLocked as exc:
            raise KeyringUnavailable(f"The keyring is locked ({backend_name(ring)})", _ADVICE_LOCKED,
                                     locked=True) from exc
        except keyring.errors.NoKeyringError as exc:
            raise KeyringUnavailable("No secure keyring available", _ADVICE_NO_BACKEND) from exc
        except (keyring.errors.KeyringError, OSError, RuntimeError) as exc:
            # e.g. "Prompt dismissed" from a locked Secret Service collection, D-Bus errors
            text = type(exc).__name__
            locked = "prompt" in str(exc).lower() or "lock" in str(exc).lower()
            title = (f"The keyring is locked ({backend_name(ring)})" if locked
                     else f"Could not {verb} the secret in {backend_name(ring)} ({text})")
            raise KeyringUnavailable(title, _ADVICE_LOCKED if locked else
                                     "Check that the keyring service is running and unlocked, "
                                     "or keep the secret for this session only.", locked=locked) from exc
