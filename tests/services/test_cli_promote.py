"""``aep-console promote`` and ``bundle export|apply`` as a user runs them (subprocesses), between two
real sandbox servers with different orgs and tenants: the tutorial set up with ``setup tutorial``,
a dry run with its bundle, the reviewed plan applied, loyalty records streamed into the target with
``send`` and the profile read back with ``profile get``; the bundle applies again as an empty plan."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aep_console.services.promote import Rewriter, validate_bundle

from .promote_orgs import TARGET_ORG, TARGET_TENANT, prefix, start_orgs
from .svc_records import member


def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "aep_console", *args], capture_output=True, text=True, timeout=180,
                       env=dict(os.environ), stdin=subprocess.DEVNULL)
    if ok:
        assert r.returncode == 0, f"{args[:2]}: exit {r.returncode}\n{r.stderr}"
    return r


@pytest.fixture
def orgs(tmp_path):
    pair = start_orgs(tmp_path / "orgs")
    yield pair
    pair.source.stop()
    pair.target.stop()


def test_promote_the_tutorial_from_the_command_line_then_stream_into_the_target(orgs, app_home, tmp_path,
                                                                                session_loop):
    for name, sb, org in (("Design", orgs.source, orgs.source_profile.org_id), ("Target", orgs.target, TARGET_ORG)):
        cli("profiles", "add", "--name", name, "--target", "local-sandbox", "--sandbox-url", sb.urls.base,
            "--org-id", org, "--client-id", "aep-sandbox-client", "--no-secret")
    out = json.loads(cli("setup", "tutorial", "--profile", "Design", "--prefix", prefix(), "--route", "http-api").stdout)
    pick = ["--dataset", out["profile_dataset_id"], "--dataset", out["event_dataset_id"],
            "--connection", out["connection_id"]]
    bundle = tmp_path / "loyalty.aep-bundle.json"

    # a dry run: the plan, the bundle, nothing written
    dry = cli("promote", "--from", "Design", "--to", "Target", *pick, "--dry-run", "--bundle", str(bundle))
    assert "to create" in dry.stdout and "[irreversible]" in dry.stdout and f"_{TARGET_TENANT}/loyaltyID" in dry.stdout
    assert validate_bundle(json.loads(bundle.read_text())) == []
    # not accepted (no terminal, no --yes): refused, still nothing written
    refused = cli("promote", "--from", "Design", "--to", "Target", *pick, ok=False)
    assert refused.returncode == 2 and "not accepted" in refused.stderr
    planned = json.loads(cli("bundle", "apply", str(bundle), "--profile", "Target", "--dry-run", "--json").stdout)
    resources = json.loads(bundle.read_text())["resources"]  # + 4 Profile enablements; Email exists already
    assert planned["plan"]["counts"] == {"create": len(resources) - 1 + 4, "identical": 1, "conflict": 0}
    assert "report" not in planned

    done = cli("promote", "--from", "Design", "--to", "Target", *pick, "--yes")
    ids = json.loads(done.stdout)
    assert "Promote to TARGET00000000000000000@AdobeOrg/prod: done" in done.stderr
    assert (f"aep-console send FILE --profile Target --connection {ids[out['connection_id']]} --dataset "
            f"{ids[out['profile_dataset_id']]} --flow-id {ids[out['profile_flow_id']]}") in done.stderr

    # stream loyalty profiles of the tutorial's shape (in the target's tenant) through the promoted dataflow
    rw = Rewriter("exchangeinternal", TARGET_TENANT)
    records = [rw.record(member(i)) for i in range(25)]
    (tmp_path / "members.json").write_text(json.dumps(records))
    cli("send", str(tmp_path / "members.json"), "--profile", "Target", "--connection", ids[out["connection_id"]],
        "--dataset", ids[out["profile_dataset_id"]], "--flow-id", ids[out["profile_flow_id"]], "--no-progress")
    who = records[0][f"_{TARGET_TENANT}"]["loyaltyID"]
    got = json.loads(cli("profile", "get", "--profile", "Target", "--namespace", "Email", "--id", who,
                         "--json").stdout)
    assert who in json.dumps(got) and ids[out["profile_dataset_id"]] in json.dumps(got)

    # the same set-up again: an empty plan, from the bundle and from the source
    empty = json.loads(cli("bundle", "apply", str(bundle), "--profile", "Target", "--json").stdout)
    assert empty["plan"]["empty"] is True and empty["plan"]["counts"]["create"] == 0 and "report" not in empty
    exported = tmp_path / "again.json"
    cli("bundle", "export", str(exported), "--profile", "Design", *pick)
    assert exported.read_text() == bundle.read_text()
    assert "Nothing to do" in cli("promote", "--from", "Design", "--to", "Target", *pick).stdout

    # a field changed in the source: a one-field conflict that stops the apply, until --overwrite
    async def rename_level():
        src, _ = orgs.sessions()
        async with src as session:
            await session.schemas.patch("fieldgroups", out["profile_fieldgroup_id"], [{"op": "replace", "path":
                "/definitions/tenantFields/properties/_exchangeinternal/properties/loyaltyLevel/title",
                "value": "Loyalty tier"}])

    session_loop.run_until_complete(rename_level())
    conflict = cli("promote", "--from", "Design", "--to", "Target", *pick, "--yes", ok=False)
    assert conflict.returncode == 4 and "conflicting" in conflict.stderr and "nothing was written" in conflict.stderr
    assert "loyaltyLevel/title: target 'Loyalty level' → source 'Loyalty tier'" in conflict.stderr
    cli("promote", "--from", "Design", "--to", "Target", *pick, "--yes", "--overwrite")
    assert "Nothing to do" in cli("promote", "--from", "Design", "--to", "Target", *pick).stdout

    # a selection that does not exist is a located usage error
    bad = cli("promote", "--from", "Design", "--to", "Target", "--dataset", "nope", ok=False)
    assert bad.returncode == 2 and "dataset 'nope' does not exist in the source" in bad.stderr
