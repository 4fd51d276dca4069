"""Connection profiles on disk (no secrets), the built-in local profile, Developer Console and Postman imports."""

from __future__ import annotations

import json

import pytest

from aep_console import paths
from aep_console.services.credentials import CredentialStore
from aep_console.services.profiles import (
    DEMO_CLIENT_SECRET,
    LOCAL_PROFILE_NAME,
    ConnectionProfile,
    ProfileError,
    ProfileStore,
)

CANARY = "p8e-CANARY-profile-secret-9f1d2c"


def _files_contain(root, needle: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_builtin_local_profile_and_save_roundtrip(app_home, memory_keyring):
    store = ProfileStore()
    profiles = store.list()
    assert profiles[0].name == LOCAL_PROFILE_NAME and profiles[0].is_local
    assert store.secret_for(profiles[0]) == DEMO_CLIENT_SECRET
    prof = ConnectionProfile(name="Acme dev", org_id="ABC123@AdobeOrg", client_id="cid", sandbox_name="dev")
    store.add(prof, CANARY)
    assert (paths.config_dir() / "profiles" / "acme-dev.json").is_file()
    again = ProfileStore().get("Acme dev")
    assert again == prof
    assert store.secret_for(again) == CANARY
    assert memory_keyring.store[("aep-console", "Acme dev")] == CANARY
    assert not _files_contain(app_home, CANARY)
    with pytest.raises(ProfileError, match="already exists"):
        store.add(prof, CANARY)
    store.set_tenant("Acme dev", "acme")
    assert store.get("Acme dev").tenant_id == "acme"
    store.delete("Acme dev")
    assert ("aep-console", "Acme dev") not in memory_keyring.store
    with pytest.raises(ProfileError, match="no connection profile named 'Acme dev'"):
        store.get("Acme dev")


def test_validation_messages():
    bad = ConnectionProfile(name="x", org_id="nope", client_id="", sandbox_name="Prod",
                            platform_url="http://platform.example.com")
    with pytest.raises(ProfileError) as err:
        bad.validate()
    text = str(err.value)
    assert "org_id" in text and "client_id" in text and "sandbox_name" in text
    assert "plain http is allowed only to a loopback sandbox" in text


def test_import_developer_console_project_json(tmp_path, app_home, memory_keyring):
    doc = {"project": {"name": "proj", "title": "Loyalty ingest", "org": {"ims_org_id": "ORG1@AdobeOrg"},
                       "workspace": {"details": {"credentials": [{
                           "integration_type": "oauth_server_to_server",
                           "oauth_server_to_server": {"client_id": "abc", "client_secrets": [CANARY],
                                                      "technical_account_id": "t@techacct.adobe.com",
                                                      "scopes": ["openid", "AdobeID", "read_organizations"]}}]}}}}
    f = tmp_path / "credential.json"
    f.write_text(json.dumps(doc))
    store = ProfileStore()
    prof = store.import_file(f, sandbox_name="dev")
    assert prof.name == "Loyalty ingest" and prof.org_id == "ORG1@AdobeOrg" and prof.client_id == "abc"
    assert prof.scopes == "openid,AdobeID,read_organizations" and prof.sandbox_name == "dev" and not prof.production
    assert store.credentials.get_secret("Loyalty ingest") == CANARY
    assert not _files_contain(app_home, CANARY)


def test_import_flat_credential_and_postman_environment(tmp_path, app_home, memory_keyring):
    flat = tmp_path / "oauth.json"
    flat.write_text(json.dumps({"CLIENT_ID": "cid", "CLIENT_SECRETS": [CANARY], "ORG_ID": "O@AdobeOrg",
                                "SCOPES": ["openid", "session"]}))
    prof = ProfileStore().import_file(flat, name="Flat")
    assert prof.production and prof.scopes == "openid,session"
    env = {"name": "AEP prod env", "values": [
        {"key": "API_KEY", "value": "cid2", "enabled": True},
        {"key": "CLIENT_SECRET", "value": CANARY + "-2", "enabled": True, "type": "secret"},
        {"key": "IMS_ORG", "value": "P@AdobeOrg"}, {"key": "SANDBOX_NAME", "value": "dev"},
        {"key": "SCOPES", "value": "openid,AdobeID"}, {"key": "IMS", "value": "ims-na1.adobelogin.com"},
        {"key": "PLATFORM_GATEWAY", "value": "https://platform.adobe.io/"},
        {"key": "ACCESS_TOKEN", "value": "eyJhbGciOiJSUzI1NiJ9.payloadpayload.signaturesig"}],
        "_postman_variable_scope": "environment"}
    pm = tmp_path / "env.postman_environment.json"
    pm.write_text(json.dumps(env))
    prof = ProfileStore().import_file(pm)
    assert prof.name == "AEP prod env" and prof.client_id == "cid2" and prof.sandbox_name == "dev"
    assert prof.ims_url == "https://ims-na1.adobelogin.com" and prof.platform_url == "https://platform.adobe.io"
    assert CredentialStore().get_secret("AEP prod env") == CANARY + "-2"
    assert not _files_contain(app_home, CANARY) and not _files_contain(app_home, "payloadpayload")


def test_import_errors_name_the_problem_not_the_secret(tmp_path, app_home, memory_keyring):
    f = tmp_path / "broken.json"
    f.write_text('{"CLIENT_SECRET": "' + CANARY + '", ')
    with pytest.raises(ProfileError) as err:
        ProfileStore().import_file(f)
    assert "not a JSON file" in str(err.value) and CANARY not in str(err.value)
    f.write_text(json.dumps({"CLIENT_SECRET": CANARY}))
    with pytest.raises(ProfileError, match="missing org id, client id") as err:
        ProfileStore().import_file(f)
    assert CANARY not in str(err.value)
    jwt_only = {"project": {"org": {"ims_org_id": "O@AdobeOrg"}, "workspace": {"details": {"credentials": [
        {"integration_type": "service_account", "jwt": {"client_id": "x"}}]}}}}
    f.write_text(json.dumps(jwt_only))
    with pytest.raises(ProfileError, match="no OAuth server-to-server credential"):
        ProfileStore().import_file(f)
