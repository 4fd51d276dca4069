"""Connection profiles: where and as whom the console connects. Files without secrets.

Each profile is a JSON file ``paths.config_dir()/profiles/<slug>.json``. The client secret goes
to the keyring (``credentials.CredentialStore``) under the profile's name and never into a file.
The built-in "Local sandbox" profile targets the embedded sandbox and its public demo identity.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import paths
from .credentials import CredentialStore

AEP_SCOPES = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"
AEP_IMS = "https://ims-na1.adobelogin.com"
AEP_PLATFORM = "https://platform.adobe.io"
AEP_STREAMING = "https://dcs.adobedc.net"

LOCAL_PROFILE_NAME = "Local sandbox"
LOCAL_DEFAULT_BASE = "http://127.0.0.1:8765"
# the embedded sandbox's published demo identity (not a secret: it only opens the local sandbox)
DEMO_CLIENT_ID = "aep-sandbox-client"
DEMO_CLIENT_SECRET = "sandbox-demo-secret"
DEMO_ORG_ID = "DEMO0000000000000000000@AdobeOrg"
DEMO_TENANT_ID = "exchangeinternal"

TARGETS = ("local-sandbox", "aep")


class ProfileError(ValueError):
    """A profile is invalid, missing, or an import file cannot be read. The text says what and where."""


@dataclass
class ConnectionProfile:
    name: str
    target: str = "aep"  # "local-sandbox" | "aep"
    org_id: str = ""
    sandbox_name: str = "prod"
    client_id: str = ""
    scopes: str = AEP_SCOPES
    ims_url: str = AEP_IMS
    platform_url: str = AEP_PLATFORM
    streaming_url: str = AEP_STREAMING
    tenant_id: str | None = None  # discovered from the Schema Registry's /stats
    production: bool = False
    technical_account_id: str | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    # --- derived ---------------------------------------------------------------------------
    @property
    def is_local(self) -> bool:
        return self.target == "local-sandbox"

    @property
    def keyring_key(self) -> str:
        return self.name

    def endpoints(self):
        """``aep_console.aep.config.Endpoints`` for this profile."""
        from ..aep.config import Endpoints

        return Endpoints(ims=self.ims_url, platform=self.platform_url, streaming=self.streaming_url)

    def with_local_base(self, base: str) -> ConnectionProfile:
        """This profile pointed at a sandbox listening on ``base`` (``http://127.0.0.1:PORT``)."""
        base = base.rstrip("/")
        return dataclasses.replace(self, ims_url=f"{base}/ims", platform_url=f"{base}/platform",
                                   streaming_url=f"{base}/dcs")

    # --- checks ----------------------------------------------------------------------------
    def validate(self) -> None:
        problems = []
        if not self.name.strip():
            problems.append("name: must not be empty")
        if self.target not in TARGETS:
            problems.append(f"target: expected one of {', '.join(TARGETS)}, found {self.target!r}")
        if not self.org_id.endswith("@AdobeOrg"):
            problems.append(f"org_id: expected an IMS org id ending in @AdobeOrg, found {self.org_id!r}")
        if not self.client_id:
            problems.append("client_id: must not be empty")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.sandbox_name or ""):
            problems.append(f"sandbox_name: expected a lower-case sandbox name, found {self.sandbox_name!r}")
        for attr in ("ims_url", "platform_url", "streaming_url"):
            problem = _url_problem(getattr(self, attr))
            if problem:
                problems.append(f"{attr}: {problem}")
        if problems:
            raise ProfileError(f"profile {self.name!r}: " + "; ".join(problems))

    # --- (de)serialisation -----------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], *, source: str = "") -> ConnectionProfile:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = {k: v for k, v in data.items() if k not in known}
        kwargs = {k: v for k, v in data.items() if k in known}
        if "name" not in kwargs:
            raise ProfileError(f"{source or 'profile'}: missing 'name'")
        for secretish in ("client_secret", "client_secrets", "access_token"):
            unknown.pop(secretish, None)
        prof = cls(**kwargs)
        prof.extra.update(unknown)
        return prof


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"expected an http(s) URL, found {url!r}"
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return f"plain http is allowed only to a loopback sandbox, found {url!r} (use https)"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_profile(base: str = LOCAL_DEFAULT_BASE, *, sandbox_name: str = "prod") -> ConnectionProfile:
    """The built-in profile of the embedded local sandbox (demo identity)."""
    return ConnectionProfile(
        name=LOCAL_PROFILE_NAME, target="local-sandbox", org_id=DEMO_ORG_ID, sandbox_name=sandbox_name,
        client_id=DEMO_CLIENT_ID, scopes=AEP_SCOPES, tenant_id=DEMO_TENANT_ID, production=False,
        description="The offline local AEP sandbox built into the console",
    ).with_local_base(base)


def slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-.").lower()
    return s or "profile"


class ProfileStore:
    """Profiles on disk (``config_dir()/profiles``) plus the built-in local sandbox profile."""

    def __init__(self, directory: Path | None = None, credentials: CredentialStore | None = None) -> None:
        self.directory = directory or (paths.config_dir() / "profiles")
        self.credentials = credentials or CredentialStore()

    def _path(self, name: str) -> Path:
        return self.directory / f"{slug(name)}.json"

    def has_file(self, name: str) -> bool:
        return self._path(name).is_file()

    def list(self) -> list[ConnectionProfile]:
        """All profiles, the local sandbox first (built-in unless a saved copy overrides it)."""
        found: dict[str, ConnectionProfile] = {}
        if self.directory.is_dir():
            for p in sorted(self.directory.glob("*.json")):
                try:
                    prof = ConnectionProfile.from_json(json.loads(p.read_text("utf-8")), source=str(p))
                except (ValueError, TypeError, OSError):
                    continue  # a broken file is reported by get(); list() stays usable
                found[prof.name] = prof
        local = found.pop(LOCAL_PROFILE_NAME, None) or local_profile()
        return [local, *sorted(found.values(), key=lambda p: p.name.lower())]

    def names(self) -> list[str]:
        return [p.name for p in self.list()]

    def get(self, name: str) -> ConnectionProfile:
        p = self._path(name)
        if p.is_file():
            try:
                prof = ConnectionProfile.from_json(json.loads(p.read_text("utf-8")), source=str(p))
            except (ValueError, TypeError) as exc:
                raise ProfileError(f"{p}: not a valid profile file ({exc})") from exc
            if prof.name == name:
                return prof
        if name == LOCAL_PROFILE_NAME:
            return local_profile()
        known = ", ".join(repr(n) for n in self.names())
        raise ProfileError(f"no connection profile named {name!r} (known: {known})")

    def save(self, profile: ConnectionProfile) -> Path:
        profile.validate()
        target = self._path(profile.name)
        if target.exists():
            try:
                other = json.loads(target.read_text("utf-8")).get("name")
            except (ValueError, OSError):
                other = None
            if other not in (None, profile.name):
                raise ProfileError(f"profile {profile.name!r} would overwrite profile {other!r} ({target})")
        self.directory.mkdir(parents=True, exist_ok=True)
        data = json.dumps(profile.to_json(), indent=2, sort_keys=True).encode()
        fd, tmp = tempfile.mkstemp(prefix=".profile-", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def add(self, profile: ConnectionProfile, secret: str | None = None) -> ConnectionProfile:
        """Save a new profile; the secret (if any) goes to the keyring first."""
        if self._path(profile.name).exists():
            raise ProfileError(f"a profile named {profile.name!r} already exists")
        profile.validate()
        if secret:
            self.credentials.set_secret(profile.keyring_key, secret)
        self.save(profile)
        return profile

    def delete(self, name: str, *, forget_secret: bool = True) -> None:
        """Delete the profile and its secret: the secret first, so that a keyring that cannot be
        reached leaves both in place (never a secret without its profile)."""
        p = self._path(name)
        if not p.exists():
            raise ProfileError(f"no saved profile named {name!r}")
        if forget_secret:
            self.credentials.delete_secret(name)
        p.unlink()

    def set_tenant(self, name: str, tenant_id: str) -> ConnectionProfile:
        prof = self.get(name)
        prof.tenant_id = tenant_id
        self.save(prof)
        return prof

    def secret_for(self, profile: ConnectionProfile) -> str:
        """The client secret: the demo one for the local sandbox unless the keyring has another."""
        if profile.is_local and profile.client_id == DEMO_CLIENT_ID:
            try:
                return self.credentials.get_secret(profile.keyring_key) or DEMO_CLIENT_SECRET
            except Exception:
                return DEMO_CLIENT_SECRET
        return self.credentials.require_secret(profile.keyring_key)

    # --- imports ---------------------------------------------------------------------------
    def import_file(self, path: str | Path, *, name: str | None = None, sandbox_name: str | None = None,
                    production: bool | None = None) -> ConnectionProfile:
        """Import a Developer Console credential JSON or a Postman environment (detected)."""
        return self.import_with_secret(path, name=name, sandbox_name=sandbox_name, production=production)[0]

    def import_with_secret(self, path: str | Path, *, name: str | None = None, sandbox_name: str | None = None,
                           production: bool | None = None) -> tuple[ConnectionProfile, bool]:
        """As ``import_file``; also says whether the file held a client secret (now in the keyring)."""
        from .profile_import import parse_import_file

        profile, secret = parse_import_file(Path(path), name=name, sandbox_name=sandbox_name)
        if production is not None:
            profile.production = production
        return self.add(profile, secret), bool(secret)
