"""The app shell: main window, navigation, crash dialog, log viewer, command-line flags."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from aep_console import __version__
from aep_console.ui.app import build_console, close_console
from aep_console.ui.pages import PlaceholderPage, page_specs

from .helpers import click, open_page

EXPECTED_PAGES = {"connections", "schemas", "datasets", "streaming", "editor", "inspector", "profiles", "datalake", "history"}


@pytest.fixture
def console(qtbot, session_loop, app_home):
    # the shell alone: no connection profile activated, so no sandbox process is started
    built = build_console(theme="light", loop=session_loop, stderr_logging=False, connect=False)
    qtbot.addWidget(built.window)
    built.window.show()
    yield built
    close_console(built, session_loop)


def test_every_navigation_page_can_be_shown(console, qtbot):
    window = console.window
    keys = [spec.key for spec in page_specs()]
    assert set(keys) >= EXPECTED_PAGES
    for spec in page_specs():
        key = spec.key
        page = open_page(qtbot, window, spec.title)
        assert page is window.page(key)
        assert page.objectName() == f"page-{key}"
        assert page.isVisible()
        assert window.current_key() == key
    assert window.windowTitle() == "AEP Ingestion Console"


def test_status_bar_names_profile_and_sandbox(console):
    class Profile:
        name = "Acme prod"
        sandbox_name = "prod"
        is_local = False
        production = True

    console.window.set_profile(Profile())
    assert "Acme prod" in console.window.profile_label.text()
    assert "prod" in console.window.sandbox_label.text()
    assert console.window.banner.isVisible()
    assert "PRODUCTION" in console.window.banner.text()
    assert "Adobe Experience Platform" in console.window.profile_label.text()

    class Local:
        name = "Local sandbox"
        sandbox_name = "prod"
        is_local = True
        production = False

    console.window.set_profile(Local())
    assert "local sandbox" in console.window.profile_label.text()
    assert not console.window.banner.isVisible()


def _dialog_text(console) -> str:
    dialog = console.crash_reporter.dialog
    assert dialog is not None and dialog.isVisible(), "no crash dialog"
    return dialog.details.toPlainText()


@pytest.mark.qt_no_exception_capture
def test_crash_dialog_for_exception_in_slot(console, qtbot):
    def broken_slot():
        raise ValueError("slot exploded on purpose")

    button = QPushButton("boom")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    button.show()
    click(qtbot, button)
    qtbot.waitUntil(lambda: console.crash_reporter.dialog is not None)
    text = _dialog_text(console)
    assert "ValueError: slot exploded on purpose" in text
    assert "broken_slot" in text  # the traceback, not just the message
    assert f"AEP Ingestion Console {__version__}" in text and "Python" in text and "Qt" in text
    QApplication.clipboard().clear()
    click(qtbot, console.crash_reporter.dialog.copy_button)
    assert "slot exploded on purpose" in QApplication.clipboard().text()


@pytest.mark.qt_no_exception_capture
def test_crash_dialog_for_exception_in_coroutine(console, qtbot, session_loop):
    async def broken_coroutine():
        await asyncio.sleep(0)
        raise RuntimeError("coroutine exploded on purpose")

    task = console.runner.run("broken", broken_coroutine())
    session_loop.run_until_complete(asyncio.wait([task]))
    qtbot.waitUntil(lambda: console.crash_reporter.dialog is not None, timeout=5000)
    text = _dialog_text(console)
    assert "RuntimeError: coroutine exploded on purpose" in text
    assert "broken_coroutine" in text


@pytest.mark.qt_no_exception_capture
def test_crash_dialog_for_exception_in_loop_callback(console, qtbot, session_loop):
    def broken_callback():
        raise KeyError("callback exploded on purpose")

    session_loop.call_soon(broken_callback)
    qtbot.waitUntil(lambda: console.crash_reporter.dialog is not None, timeout=5000)
    assert "callback exploded on purpose" in _dialog_text(console)


@pytest.mark.qt_no_exception_capture
def test_cancelled_task_is_not_a_crash(console, qtbot, session_loop):
    finished = []

    async def long_running():
        try:
            await asyncio.sleep(30)
        finally:
            finished.append(True)

    def settle(*tasks):
        session_loop.run_until_complete(asyncio.wait(tasks, timeout=5))
        session_loop.run_until_complete(asyncio.sleep(0.05))  # done-callbacks run

    task = console.runner.run("slow", long_running())
    session_loop.run_until_complete(asyncio.sleep(0.02))
    task.cancel()
    settle(task)
    assert finished == [True] and task.cancelled()
    # a second task of the same name replaces (cancels) the first, also without a crash
    first = console.runner.run("slow", long_running())
    second = console.runner.run("slow", long_running())
    settle(first)
    assert first.cancelled() and not second.done()
    assert console.runner.is_running("slow")
    console.runner.cancel_all()
    settle(second)
    assert len(finished) == 2  # `first` was cancelled before its first step, so it ran no finally
    assert second.cancelled()
    assert console.crash_reporter.dialog is None


def test_log_viewer_shows_python_logging(console, qtbot):
    logging.getLogger("aep_console.test").warning("visible in the log viewer")
    qtbot.waitUntil(lambda: "visible in the log viewer" in console.window.log_view.text.toPlainText())
    logging.getLogger("aep_console.test").debug("hidden below the level")
    assert "hidden below the level" not in console.window.log_view.text.toPlainText()


def test_log_file_lives_under_the_override_and_is_redacted(console, app_home):
    logging.getLogger("aep_console.test").warning("Authorization: Bearer abc.def.ghijklmnop1234 used")
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_file = app_home / "logs" / "aep-console.log"
    content = log_file.read_text()
    assert "Authorization: Bearer ***REDACTED***" in content
    assert "ghijklmnop1234" not in content


def _run_cli(*args: str, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, AEP_CONSOLE_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "aep_console", *args], capture_output=True, text=True, env=env, timeout=60)


def test_version_flag(tmp_path):
    result = _run_cli("--version", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"AEP Ingestion Console {__version__}" in result.stdout
    assert "Qt 6." in result.stdout and "Python 3." in result.stdout


def test_help_flag_lists_options_and_subcommands(tmp_path):
    result = _run_cli("--help", home=tmp_path)
    assert result.returncode == 0
    for word in ("--log-level", "--version", "--theme", "send", "profile"):
        assert word in result.stdout


def test_bad_log_level_is_refused(tmp_path):
    result = _run_cli("--log-level", "LOUD", home=tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_theme_palettes_differ_and_are_readable():
    from PySide6.QtGui import QPalette

    from aep_console.ui.theme import palette_for

    for dark in (False, True):
        palette = palette_for(dark)
        window = palette.color(QPalette.ColorRole.Window)
        text = palette.color(QPalette.ColorRole.WindowText)
        assert abs(window.lightness() - text.lightness()) > 150  # readable contrast
        assert (window.lightness() < 128) == dark


def test_placeholder_pages_say_what_will_come():
    page = PlaceholderPage("Data lake", "Batches will show here.")
    assert page.accessibleName() == "Data lake"


def test_theme_switch_reaches_every_widget_live(console, qtbot):
    """The OS scheme can change while the console runs: no widget may keep the old palette."""
    from PySide6.QtGui import QPalette

    from aep_console.ui.theme import apply_theme

    def nav_base_lightness() -> int:
        return console.window.nav.palette().color(QPalette.ColorRole.Base).lightness()

    try:
        apply_theme(console.app, "dark")
        qtbot.waitUntil(lambda: nav_base_lightness() < 80)
        apply_theme(console.app, "light")
        qtbot.waitUntil(lambda: nav_base_lightness() > 200)
    finally:
        apply_theme(console.app, "light")
