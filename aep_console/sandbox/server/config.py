"""Configuration of the local AEP sandbox: where it listens, what it accepts.

Defaults are the demo identity of docs/dev-contracts.md. A TOML file (``--config``) can override
any of them::

    host = "127.0.0.1"
    port = 8080
    token_lifetime = 86399          # seconds
    scopes = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"

    [[orgs]]
    org_id = "DEMO0000000000000000000@AdobeOrg"
    tenant_id = "exchangeinternal"
    client_id = "aep-sandbox-client"
    client_secret = "sandbox-demo-secret"
    sandboxes = ["prod", "dev"]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_SCOPES = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"
DEFAULT_TOKEN_LIFETIME = 86399


@dataclass(frozen=True)
class OrgConfig:
    org_id: str
    tenant_id: str
    client_id: str
    client_secret: str
    sandboxes: tuple[str, ...] = ("prod", "dev")

    def to_public(self) -> dict[str, Any]:
        return {
            "org_id": self.org_id,
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "sandboxes": list(self.sandboxes),
        }


DEMO_ORG = OrgConfig(
    org_id="DEMO0000000000000000000@AdobeOrg",
    tenant_id="exchangeinternal",
    client_id="aep-sandbox-client",
    client_secret="sandbox-demo-secret",
)
OTHER_ORG = OrgConfig(
    org_id="OTHER000000000000000000@AdobeOrg",
    tenant_id="othertenant",
    client_id="aep-sandbox-other",
    client_secret="sandbox-other-secret",
)


@dataclass(frozen=True)
class SandboxConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    scopes: str = DEFAULT_SCOPES
    orgs: tuple[OrgConfig, ...] = (DEMO_ORG, OTHER_ORG)
    # free-form settings (the ingestion runtime reads its own keys from here)
    extra: dict[str, Any] = field(default_factory=dict)

    def org_by_client(self, client_id: str) -> OrgConfig | None:
        for org in self.orgs:
            if org.client_id == client_id:
                return org
        return None

    def org_by_id(self, org_id: str) -> OrgConfig | None:
        for org in self.orgs:
            if org.org_id == org_id:
                return org
        return None

    def with_overrides(self, **kwargs: Any) -> SandboxConfig:
        return replace(self, **{k: v for k, v in kwargs.items() if v is not None})


class ConfigError(ValueError):
    """The configuration file is unreadable or has a wrong value (message says which)."""


def load_config_file(path: Path, data_dir: Path | None = None) -> SandboxConfig:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return config_from_mapping(raw, data_dir=data_dir, source=str(path))


def config_from_mapping(
    raw: dict[str, Any], *, data_dir: Path | None = None, source: str = "config"
) -> SandboxConfig:
    known = {"host", "port", "token_lifetime", "scopes", "orgs", "data_dir"}
    dd = data_dir or (Path(raw["data_dir"]) if "data_dir" in raw else None)
    if dd is None:
        raise ConfigError(f"{source}: no data_dir given")
    kwargs: dict[str, Any] = {"data_dir": Path(dd)}
    for key, typ in (("host", str), ("port", int), ("token_lifetime", int), ("scopes", str)):
        if key in raw:
            if not isinstance(raw[key], typ):
                raise ConfigError(
                    f"{source}: '{key}' must be {typ.__name__}, found {type(raw[key]).__name__}"
                )
            kwargs[key] = raw[key]
    if "orgs" in raw:
        orgs = []
        for i, item in enumerate(raw["orgs"]):
            try:
                orgs.append(
                    OrgConfig(
                        org_id=str(item["org_id"]),
                        tenant_id=str(item["tenant_id"]),
                        client_id=str(item["client_id"]),
                        client_secret=str(item["client_secret"]),
                        sandboxes=tuple(str(s).lower() for s in item.get("sandboxes", ["prod", "dev"])),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise ConfigError(f"{source}: orgs[{i}] lacks {exc}") from None
        if not orgs:
            raise ConfigError(f"{source}: 'orgs' is empty")
        kwargs["orgs"] = tuple(orgs)
    kwargs["extra"] = {k: v for k, v in raw.items() if k not in known}
    return SandboxConfig(**kwargs)
