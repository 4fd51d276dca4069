"""Credentials without a keyring: the form is never dropped, and "keep the secret for this session
only" is offered and works (the secret in memory, never in a file)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from .helpers import click, type_into, until


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


async def test_without_a_keyring_the_typed_profile_is_kept_for_this_session(no_keyring, ctx, qtbot, ui_errors):
    from aep_console.ui.pages.connections import ConnectionsPage

    page = ConnectionsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    await until(lambda: page.list.count() > 0, 5, "the profiles list")
    click(qtbot, page.new_btn)
    type_into(qtbot, page.name, "No keyring dev")
    type_into(qtbot, page.client_id, "nokeyring-client")
    type_into(qtbot, page.org_id, "ACME0000000000000000000@AdobeOrg")
    type_into(qtbot, page.secret, "typed-secret-value")
    click(qtbot, page.save_btn)
    assert "No secure keyring" in page.banner.text(), page.banner.text()
    assert page.session_btn.isVisible()
    # "Use this profile" neither switches nor drops what was typed
    click(qtbot, page.use_btn)
    assert page.name.text() == "No keyring dev" and page.secret.text() == "typed-secret-value"
    assert page.session_btn.isVisible() and getattr(ctx.profile, "name", None) != "No keyring dev"
    click(qtbot, page.session_btn)  # saves with the secret in memory, then uses the profile
    await until(lambda: getattr(ctx.profile, "name", None) == "No keyring dev", 10, "the switch to the profile")
    profile = ctx.profiles.get("No keyring dev")
    assert ctx.profiles.secret_for(profile) == "typed-secret-value"
    assert "session only" in page.keyring_note.text()
    for f in ctx.profiles.directory.glob("*.json"):
        assert "typed-secret-value" not in f.read_text()
    assert ui_errors == []
