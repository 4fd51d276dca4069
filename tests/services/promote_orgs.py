"""Two real sandbox servers for the promote tests: the source on the demo org (tenant
``exchangeinternal``), the target on an org and tenant of its own."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from aep_console.sandbox.launcher import SandboxProcess, start_sandbox
from aep_console.services.connect import open_session
from aep_console.services.credentials import CredentialStore
from aep_console.services.profiles import ConnectionProfile, local_profile

TARGET_ORG = "TARGET00000000000000000@AdobeOrg"
TARGET_TENANT = "targettenant"


@dataclass
class Orgs:
    source: SandboxProcess
    target: SandboxProcess

    @property
    def source_profile(self) -> ConnectionProfile:
        return local_profile(self.source.urls.base)

    @property
    def target_profile(self) -> ConnectionProfile:
        return dataclasses.replace(local_profile(self.target.urls.base), name="Target org", org_id=TARGET_ORG,
                                   tenant_id=None)

    def sessions(self):
        creds = CredentialStore(session_only=True)
        return open_session(self.source_profile, credentials=creds), open_session(self.target_profile,
                                                                                  credentials=creds)


def start_orgs(base) -> Orgs:
    source = start_sandbox(base / "source")
    try:
        target = start_sandbox(base / "target", extra_args=["--org-id", TARGET_ORG, "--tenant-id", TARGET_TENANT])
    except Exception:
        source.stop()
        raise
    return Orgs(source, target)


def prefix(word: str = "P") -> str:
    return f"{word}{uuid.uuid4().hex[:6]}"
