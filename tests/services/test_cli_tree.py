"""The command line is one argparse tree: global options before or after a command, one exit-code
table, logging as in the window (a log file, the secret redactor on every handler)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from aep_console.cli import build_parser

from .svc_records import write_members


def cli(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aep_console", *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


def test_global_options_go_before_or_after_the_command():
    parser = build_parser()
    before = parser.parse_args(["--log-level", "debug", "--profile", "P", "send", "f.json", "--connection", "c",
                                "--dataset", "d"])
    after = parser.parse_args(["send", "f.json", "--connection", "c", "--dataset", "d", "--profile", "P",
                               "--log-level", "DEBUG", "--log-file", "x.log"])
    assert (before.command, before.log_level, before.profile, before.file) == ("send", "DEBUG", "P", "f.json")
    assert (after.log_level, after.profile, after.log_file) == ("DEBUG", "P", "x.log")
    gui = parser.parse_args(["--profile", "P", "--theme", "dark"])
    assert gui.command is None and gui.profile == "P" and gui.log_level is None


def test_a_command_without_a_profile_is_a_usage_error(app_home):
    r = cli("send", "f.json", "--connection", "c", "--dataset", "d")
    assert r.returncode == 2 and "--profile" in r.stderr and r.stdout == ""
    r = cli("--log-level", "NOPE", "history", "list")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_log_level_before_the_command_logs_the_run_to_the_log_file(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "two.jsonl"
    write_members(f, 2, start=7_100_000)
    log = tmp_path / "run.log"
    t = tutorial["members"]
    r = cli("--log-level", "DEBUG", "--log-file", str(log), "--profile", "Local sandbox", "send", str(f),
            "--sandbox-url", sandbox.urls.base, "--connection", t.connection_id, "--dataset", t.dataset_id,
            "--no-progress", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["accepted"] == 2
    text = log.read_text()
    assert " DEBUG " in text  # the file has the level asked for
    assert " DEBUG " in r.stderr  # and so does the terminal, when a level is given


def test_without_a_level_the_terminal_shows_only_warnings_and_the_default_log_file_is_written(app_home):
    r = cli("history", "list")
    assert r.returncode == 0, r.stderr
    assert " INFO " not in r.stderr and " DEBUG " not in r.stderr
    assert (app_home / "logs" / "aep-console.log").exists()
