"""Configuration of the local AEP sandbox: where it listens, what it accepts, how ingestion behaves.

One pydantic model, :class:`SandboxConfig`, holds every setting; defaults are the demo identity of
docs/dev-contracts.md. A TOML file (``--config``) can set any of them, and a key the model does not know
is an error (a typo must not be ignored silently)::

    host = "127.0.0.1"
    port = 8080
    token_lifetime = 86399          # seconds
    scopes = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"

    datalake_max_records = 50000    # a streaming batch closes at this many records …
    datalake_max_age_s = 30         # … or this age
    dcs_requests_per_second = 100   # per DCS connection (absent: no limit)
    sync_validation_per_minute = 60 # per DCS connection, as AEP
    faults = { error503 = 0.1, latencyMs = 20 }   # or "error503=0.1,latencyMs=20"
    edge_tls_port = 8443            # also serve the Edge Network over HTTPS here (0: a free port)

    [[orgs]]
    org_id = "DEMO0000000000000000000@AdobeOrg"
    tenant_id = "exchangeinternal"
    client_id = "aep-sandbox-client"
    client_secret = "sandbox-demo-secret"
    sandboxes = ["prod", "dev"]

Adding a setting: a typed field with its default and a one-line comment below; the CLI maps flags onto
fields through :meth:`SandboxConfig.with_overrides`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

DEFAULT_SCOPES = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"
DEFAULT_TOKEN_LIFETIME = 86399


class ConfigError(ValueError):
    """The configuration file is unreadable or has a wrong value (message says which)."""


class OrgConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    org_id: StrictStr
    tenant_id: StrictStr
    client_id: StrictStr
    client_secret: StrictStr
    sandboxes: tuple[StrictStr, ...] = ("prod", "dev")

    @field_validator("sandboxes")
    @classmethod
    def _lower_case(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(s.lower() for s in value)

    def to_public(self) -> dict[str, Any]:
        return {**self.model_dump(), "sandboxes": list(self.sandboxes)}


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


class SandboxConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path
    # where it listens
    host: StrictStr = "127.0.0.1"
    port: Annotated[StrictInt, Field(ge=0, le=65535)] = 8080
    # IMS: access-token lifetime (s) and the scopes a token request may ask for
    token_lifetime: Annotated[StrictInt, Field(ge=1)] = DEFAULT_TOKEN_LIFETIME
    scopes: StrictStr = DEFAULT_SCOPES
    orgs: Annotated[tuple[OrgConfig, ...], Field(min_length=1)] = (DEMO_ORG, OTHER_ORG)
    # ingestion: a streaming batch closes at this many records or this age (s)
    datalake_max_records: Annotated[StrictInt, Field(ge=1)] = 50_000
    datalake_max_age_s: Annotated[float, Field(gt=0)] = 30.0
    # DCS requests per second per connection (None: unlimited); synchronous validations per minute (AEP: 60)
    dcs_requests_per_second: Annotated[float, Field(gt=0)] | None = None
    sync_validation_per_minute: Annotated[StrictInt, Field(ge=1)] = 60
    # fault injection at start (the admin API's settings; a "k=v,…" string is parsed); None: off
    faults: dict[str, Any] | None = None
    # the Edge Network (Web SDK) over HTTPS on this port too (0: a free one; None: off); certificate under data_dir/tls
    edge_tls_port: Annotated[StrictInt, Field(ge=0, le=65535)] | None = None

    @field_validator("faults", mode="before")
    @classmethod
    def _parse_faults(cls, value: Any) -> Any:
        from ..ingestion.faults import FaultConfigError, FaultInjector, parse_cli_faults

        if value is None or value == "" or value == {}:
            return None
        try:
            settings = parse_cli_faults(value) if isinstance(value, str) else value
            if not isinstance(settings, dict):
                raise FaultConfigError(f"must be a table or 'key=value,…' text, found {type(value).__name__}")
            FaultInjector().configure(settings)  # raises on an unknown key or a bad value
        except FaultConfigError as exc:
            raise ValueError(str(exc)) from None
        return dict(settings)

    def org_by_client(self, client_id: str) -> OrgConfig | None:
        return next((org for org in self.orgs if org.client_id == client_id), None)

    def org_by_id(self, org_id: str) -> OrgConfig | None:
        return next((org for org in self.orgs if org.org_id == org_id), None)

    def with_overrides(self, *, source: str = "command line", **kwargs: Any) -> SandboxConfig:
        """A validated copy with the given settings replaced (``None`` values are ignored)."""
        updates = {k: v for k, v in kwargs.items() if v is not None}
        return validate_config({**dict(self), **updates}, source=source)


_TYPE_NAMES = {"int_type": "int", "string_type": "str", "float_type": "number", "bool_type": "bool",
               "tuple_type": "list", "list_type": "list", "dict_type": "table", "model_type": "table"}


def _located(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def describe_errors(exc: ValidationError, source: str) -> str:
    """Pydantic's errors in the sandbox's words: which key, what is expected, what was found."""
    problems = []
    for err in exc.errors():
        where, kind, found = _located(err["loc"]), err["type"], err.get("input")
        if kind == "missing":
            problems.append(f"'{where}' is required")
        elif kind == "extra_forbidden":
            problems.append(f"unknown setting '{where}'")
        elif kind in _TYPE_NAMES:
            problems.append(f"'{where}' must be {_TYPE_NAMES[kind]}, found {type(found).__name__}")
        elif kind == "value_error":  # our own validators' messages name what they found
            problems.append(f"'{where}': {err['msg'].removeprefix('Value error, ')}")
        else:
            problems.append(f"'{where}': {err['msg']}, found {found!r}")
    return f"{source}: " + "; ".join(problems)


def validate_config(raw: dict[str, Any], *, source: str = "config") -> SandboxConfig:
    try:
        return SandboxConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, source)) from None


def config_from_mapping(
    raw: dict[str, Any], *, data_dir: Path | None = None, source: str = "config"
) -> SandboxConfig:
    """The settings of a TOML document; ``data_dir`` (the command line's) wins over the file's."""
    dd = data_dir or raw.get("data_dir")
    if dd is None:
        raise ConfigError(f"{source}: no data_dir given")
    return validate_config({**raw, "data_dir": Path(dd)}, source=source)


def load_config_file(path: Path, data_dir: Path | None = None) -> SandboxConfig:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return config_from_mapping(raw, data_dir=data_dir, source=str(path))
