"""Reading Adobe Developer Console credential files and Postman environments into profiles.

Returns the profile (no secret in it) and the client secret separately, for the keyring.
Error texts name the file and the missing key, never a value (the file holds a secret).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .profiles import AEP_IMS, AEP_PLATFORM, AEP_SCOPES, AEP_STREAMING, ConnectionProfile, ProfileError


def _https(host_or_url: str, default: str) -> str:
    v = (host_or_url or "").strip().rstrip("/")
    if not v:
        return default
    if "://" not in v:
        v = "https://" + v
    return v


def _scopes(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(s).strip() for s in value if str(s).strip())
    if isinstance(value, str) and value.strip():
        return ",".join(s.strip() for s in value.replace(" ", ",").split(",") if s.strip())
    return AEP_SCOPES


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, what: str, path: Path | str) -> str | None:
    """A string field (None when absent or empty); any other JSON type is an error naming the field."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        kind = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}.get(
            type(value), type(value).__name__)
        raise ProfileError(f"{path}: {what} must be text, found {kind}")
    return value.strip() or None


def _secret_of(secrets: Any, single: Any, what: str, path: Path | str) -> str | None:
    """The first of a ``client_secrets`` list (or the single ``client_secret``)."""
    if isinstance(secrets, str):
        secrets = [secrets]
    if secrets not in (None, []) and not (isinstance(secrets, list) and all(isinstance(s, str) for s in secrets)):
        raise ProfileError(f"{path}: {what} must be a list of text values")
    return (secrets[0].strip() if secrets and secrets[0].strip() else None) or _text(single, "the client secret", path)


def parse_import_file(path: Path, *, name: str | None = None,
                      sandbox_name: str | None = None) -> tuple[ConnectionProfile, str | None]:
    if path.is_dir():
        raise ProfileError(f"{path}: is a folder, not a credential file")
    try:
        data = json.loads(path.read_text("utf-8-sig"), parse_constant=_no_constant)
    except FileNotFoundError as exc:
        raise ProfileError(f"{path}: no such file") from exc
    except RecursionError:
        raise ProfileError(f"{path}: not a credential file (nested too deeply)") from None
    except _NotJson as exc:
        raise ProfileError(f"{path}: not a JSON file ({exc})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        # the decoder's message carries a position only, never the file's content
        raise ProfileError(f"{path}: not a JSON file ({type(exc).__name__} at "
                           f"line {getattr(exc, 'lineno', '?')}, column {getattr(exc, 'colno', '?')})") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a JSON object at the top level")
    if isinstance(data.get("values"), list):
        return parse_postman_environment(data, path=path, name=name, sandbox_name=sandbox_name)
    return parse_developer_console(data, path=path, name=name, sandbox_name=sandbox_name)


def parse_developer_console(data: dict[str, Any], *, path: Path | str = "credential file", name: str | None = None,
                            sandbox_name: str | None = None) -> tuple[ConnectionProfile, str | None]:
    """Developer Console OAuth server-to-server credential, project JSON or the flat download."""
    title = None
    if isinstance(data.get("project"), dict):  # the project's "Download JSON"
        project = data["project"]
        org = _text(_obj(project.get("org")).get("ims_org_id"), "project.org.ims_org_id", path)
        title = _text(project.get("title"), "project.title", path) or _text(project.get("name"), "project.name", path)
        creds = _obj(_obj(project.get("workspace")).get("details")).get("credentials") or []
        creds = creds if isinstance(creds, list) else []
        s2s = next((c.get("oauth_server_to_server") for c in creds
                    if isinstance(c, dict) and c.get("integration_type") == "oauth_server_to_server"), None)
        if not isinstance(s2s, dict) or not s2s:
            kinds = ", ".join(str(c.get("integration_type")) for c in creds if isinstance(c, dict)) or "none"
            raise ProfileError(f"{path}: no OAuth server-to-server credential in the project "
                               f"(found: {kinds[:200]}); JWT credentials reached end of life")
        client_id = _text(s2s.get("client_id"), "client_id", path)
        secret = _secret_of(s2s.get("client_secrets"), s2s.get("client_secret"), "client_secrets", path)
        scopes = s2s.get("scopes")
        tech = _text(s2s.get("technical_account_id"), "technical_account_id", path)
    else:  # flat: CLIENT_ID, CLIENT_SECRETS, ORG_ID, SCOPES, TECHNICAL_ACCOUNT_ID …
        up = {str(k).upper(): v for k, v in data.items()}
        org = (_text(up.get("ORG_ID"), "ORG_ID", path) or _text(up.get("IMS_ORG"), "IMS_ORG", path)
               or _text(up.get("IMS_ORG_ID"), "IMS_ORG_ID", path))
        client_id = _text(up.get("CLIENT_ID"), "CLIENT_ID", path) or _text(up.get("API_KEY"), "API_KEY", path)
        secret = _secret_of(up.get("CLIENT_SECRETS"), up.get("CLIENT_SECRET"), "CLIENT_SECRETS", path)
        scopes = up.get("SCOPES")
        tech = _text(up.get("TECHNICAL_ACCOUNT_ID"), "TECHNICAL_ACCOUNT_ID", path)
    missing = [k for k, v in (("org id", org), ("client id", client_id)) if not v]
    if missing:
        raise ProfileError(f"{path}: not a Developer Console credential (missing {', '.join(missing)})")
    sandbox = sandbox_name or "prod"
    profile = ConnectionProfile(
        name=name or title or f"AEP {org.split('@')[0][:8]} ({sandbox})", target="aep", org_id=org,
        sandbox_name=sandbox, client_id=client_id, scopes=_scopes(scopes), technical_account_id=tech,
        production=(sandbox == "prod"), description=f"Imported from {Path(str(path)).name}",
    )
    return profile, (secret or None)


def parse_postman_environment(data: dict[str, Any], *, path: Path | str = "environment", name: str | None = None,
                              sandbox_name: str | None = None) -> tuple[ConnectionProfile, str | None]:
    """A Postman environment as used by Adobe's AEP Postman collections."""
    values: dict[str, str] = {}
    for item in data.get("values") or []:
        if isinstance(item, dict) and item.get("key") and item.get("enabled", True) is not False:
            value = item.get("value")
            if isinstance(value, dict | list):
                raise ProfileError(f"{path}: the value of {str(item['key'])[:60]!r} must be text")
            values[str(item["key"]).upper()] = str(value if value is not None else "").strip()
    org = values.get("IMS_ORG") or values.get("ORG_ID")
    client_id = values.get("API_KEY") or values.get("CLIENT_ID")
    missing = [k for k, v in (("IMS_ORG", org), ("API_KEY", client_id)) if not v]
    if missing:
        raise ProfileError(f"{path}: the Postman environment lacks {', '.join(missing)}")
    sandbox = sandbox_name or values.get("SANDBOX_NAME") or "prod"
    ims = _https(values.get("IMS", ""), AEP_IMS)
    platform = _https(values.get("PLATFORM_GATEWAY", ""), AEP_PLATFORM)
    streaming = _https(values.get("DCS_HOST", "") or values.get("STREAMING_HOST", ""), AEP_STREAMING)
    env_name = data.get("name") if isinstance(data.get("name"), str) else None
    profile = ConnectionProfile(
        name=name or env_name or f"Postman {org.split('@')[0][:8]}", target="aep", org_id=org,
        sandbox_name=sandbox.lower(), client_id=client_id, scopes=_scopes(values.get("SCOPES")),
        ims_url=ims, platform_url=platform, streaming_url=streaming,
        technical_account_id=values.get("TECHNICAL_ACCOUNT_ID") or None,
        tenant_id=(values.get("TENANT_ID") or values.get("TENANT") or None),
        production=(sandbox.lower() == "prod"), description=f"Imported from {Path(str(path)).name}",
    )
    return profile, (values.get("CLIENT_SECRET") or None)
