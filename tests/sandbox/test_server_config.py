"""The sandbox's TOML configuration (``server/config.py``): one pydantic model, every key typed, every
mistake named with its key."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aep_console.sandbox.server import config as cfg
from aep_console.sandbox.server.config import ConfigError, config_from_mapping, load_config_file

ROOT = Path(__file__).resolve().parents[2]


def documented_example() -> str:
    """The TOML example of the module's docstring (the one a user copies)."""
    lines = cfg.__doc__.split("::", 1)[1].split("Adding a setting")[0].splitlines()
    return "\n".join(line[4:] for line in lines)


def test_the_documented_example_loads_with_every_key(tmp_path):
    path = tmp_path / "sandbox.toml"
    path.write_text(documented_example())
    raw = tomllib.loads(path.read_text())
    config = load_config_file(path, data_dir=tmp_path)
    assert config.data_dir == tmp_path and config.port == 8080 and config.token_lifetime == 86399
    assert config.datalake_max_records == 50000 and config.datalake_max_age_s == 30.0
    assert config.dcs_requests_per_second == 100.0 and config.sync_validation_per_minute == 60
    assert config.faults == {"error503": 0.1, "latencyMs": 20}
    assert config.edge_tls_port == 8443
    assert config.orgs[0].client_id == "aep-sandbox-client" and config.orgs[0].sandboxes == ("prod", "dev")
    # every field of the model is in the documented example (a new option gets documented)
    assert set(cfg.SandboxConfig.model_fields) - {"data_dir"} <= set(raw)


def test_defaults_are_the_demo_identity(tmp_path):
    config = config_from_mapping({}, data_dir=tmp_path)
    assert [o.org_id for o in config.orgs] == ["DEMO0000000000000000000@AdobeOrg", "OTHER000000000000000000@AdobeOrg"]
    assert config.org_by_client("aep-sandbox-other").tenant_id == "othertenant"
    assert config.org_by_id("nope@AdobeOrg") is None
    assert config.faults is None and config.dcs_requests_per_second is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"port": "x"}, "'port' must be int, found str"),
        ({"token_lifetime": 0}, "'token_lifetime': Input should be greater than or equal to 1"),
        ({"datalake_max_records": 1.5}, "'datalake_max_records' must be int, found float"),
        ({"prot": 8080}, "unknown setting 'prot'"),
        ({"edge_tls_port": "8443"}, "'edge_tls_port' must be int, found str"),
        ({"edge_tls_port": 70000}, "'edge_tls_port': Input should be less than or equal to 65535"),
        ({"orgs": [{"org_id": "A@AdobeOrg", "tenant_id": "a", "client_id": "c"}]}, "'orgs[0].client_secret' is required"),
        ({"faults": {"error503": 2}}, "'faults': 'error503' must be a share between 0 and 1, found 2"),
        ({"faults": "error503"}, "'faults': --faults: expected key=value, found 'error503'"),
        ({"faults": {"boom": 0.1}}, "'faults': unknown fault setting(s) ['boom']"),
    ],
)
def test_a_wrong_value_is_named_with_its_key(tmp_path, raw, message):
    with pytest.raises(ConfigError) as err:
        config_from_mapping(raw, data_dir=tmp_path, source="my.toml")
    assert str(err.value).startswith("my.toml: ") and message in str(err.value)


def test_faults_as_text_are_parsed_and_sandboxes_lower_cased(tmp_path):
    config = config_from_mapping(
        {"faults": "error503=0.25,scope=all", "orgs": [{"org_id": "A@AdobeOrg", "tenant_id": "a", "client_id": "c",
                                                        "client_secret": "s", "sandboxes": ["Prod", "QA"]}]},
        data_dir=tmp_path,
    )
    assert config.faults == {"error503": 0.25, "scope": "all"}
    assert config.orgs[0].sandboxes == ("prod", "qa")


def test_overrides_are_validated_and_the_model_is_frozen(tmp_path):
    config = config_from_mapping({}, data_dir=tmp_path)
    assert config.with_overrides(port=0, host=None).port == 0
    with pytest.raises(ConfigError, match="command line: 'port': Input should be less than or equal to 65535"):
        config.with_overrides(port=70000)
    with pytest.raises(ValueError):
        config.port = 1  # type: ignore[misc]


def test_the_cli_names_an_unknown_key_and_exits_2(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("datalake_max_record = 5\n")
    r = subprocess.run(
        [sys.executable, "-m", "aep_console.sandbox", "--data-dir", str(tmp_path), "--config", str(path)],
        capture_output=True, text=True, timeout=30, cwd=ROOT,
    )
    assert r.returncode == 2, r.stderr
    assert "unknown setting 'datalake_max_record'" in r.stderr and "Traceback" not in r.stderr
