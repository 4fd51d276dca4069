"""Connection profiles: save / delete / import through the profile store; switch; Test
connection (token, then Schema Registry /stats) on the qasync loop."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class ConnectionsController(QObject):
    test_step = Signal(bool, str)  # ok, what
    test_finished = Signal(bool, str)

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.keyring_failed = False  # the last save failed for want of a usable keyring

    # --- store ---------------------------------------------------------------------------------
    def profiles(self) -> list:
        return self.ctx.profiles.list()

    def get(self, name: str):
        from ...services.profiles import ProfileError

        try:
            return self.ctx.profiles.get(name)
        except ProfileError:
            return None

    @staticmethod
    def default_scopes() -> str:
        from ...services.profiles import AEP_SCOPES

        return AEP_SCOPES

    def keyring_text(self, profile) -> str:
        if profile is not None and profile.is_local:
            return "The local sandbox uses its public demo identity; nothing is stored in the keyring."
        try:
            info = self.ctx.profiles.credentials.backend_info()
            return f"The client secret is stored in: {info.describe()}."
        except Exception as exc:
            title = getattr(exc, "title", None)
            advice = getattr(exc, "advice", str(exc))
            return f"Keyring: {title + '. ' if title else ''}{advice}"

    def build(self, values: dict):
        from ...services.profiles import ConnectionProfile, local_profile

        if values["target"] == "local-sandbox":
            base = local_profile()
            return dataclasses.replace(base, name=values["name"] or base.name,
                                       sandbox_name=values["sandbox_name"] or base.sandbox_name,
                                       production=values["production"])
        fields = dict(target="aep", org_id=values["org_id"], sandbox_name=values["sandbox_name"],
                      client_id=values["client_id"], scopes=values["scopes"] or self.default_scopes(),
                      production=values["production"])
        existing = self.get(values["name"]) if values["name"] else None
        if existing is not None and not existing.is_local:
            # keep what the form does not show (endpoints of an imported profile, tenant, …)
            return dataclasses.replace(existing, **fields)
        return ConnectionProfile(name=values["name"], **fields)

    def keep_secrets_for_this_session(self) -> None:
        """No usable keyring: keep typed secrets in this process's memory until the console exits."""
        self.ctx.profiles.credentials.use_session_only()

    @property
    def session_only(self) -> bool:
        return self.ctx.profiles.credentials.session_only

    def is_changed(self, values: dict, secret: str) -> bool:
        """The form differs from the saved profile of that name (or there is none), or holds a secret."""
        saved = self.get(values["name"]) if values["name"] else None
        if saved is None:
            return bool(values["name"] or secret or values["client_id"])
        if secret:
            return True
        if saved.is_local:
            return values["target"] != "local-sandbox" or values["production"] != saved.production
        return any(getattr(saved, k) != values[k] for k in ("org_id", "sandbox_name", "client_id", "scopes",
                                                            "production")) or values["target"] != saved.target

    def save(self, values: dict, secret: str) -> tuple[bool, str]:
        from ...services.credentials import CredentialError, KeyringUnavailable
        from ...services.profiles import ProfileError

        store = self.ctx.profiles
        self.keyring_failed = False
        try:
            profile = self.build(values)
            existing = self.get(profile.name)
            profile.validate()
            if secret:
                store.credentials.set_secret(profile.keyring_key, secret)
            elif existing is None and not profile.is_local:
                return False, "Enter the client secret: a new AEP profile needs one (it goes to the keyring)."
            store.save(profile)
        except KeyringUnavailable as exc:
            self.keyring_failed = True
            return False, (f"Not saved: {exc.title}. {exc.advice} The form is kept: press \u201cKeep the secret "
                           "for this session only\u201d to use it now.")
        except (ProfileError, CredentialError, ValueError) as exc:
            return False, f"Not saved: {exc}"
        where = "" if profile.is_local or not secret else (
            " The secret is kept for this session only (forgotten when the console exits)."
            if store.credentials.session_only else " The secret went to the keyring.")
        if self.ctx.profile is not None and self.ctx.profile.name == profile.name:
            self.ctx.activate(profile)
        return True, f"Saved profile \u201c{profile.name}\u201d.{where}"

    def delete(self, name: str) -> tuple[bool, str]:
        from ...services.profiles import LOCAL_PROFILE_NAME, ProfileError

        if name == LOCAL_PROFILE_NAME and not self.ctx.profiles._path(name).exists():
            return False, "The built-in \u201cLocal sandbox\u201d profile cannot be deleted."
        try:
            self.ctx.profiles.delete(name)
        except (ProfileError, Exception) as exc:
            return False, f"Not deleted: {exc}"
        if self.ctx.profile is not None and self.ctx.profile.name == name:
            self.ctx.activate(self.ctx.profiles.get(LOCAL_PROFILE_NAME))
        return True, f"Deleted profile \u201c{name}\u201d and forgot its secret."

    def import_file(self, path: str) -> tuple[bool, str, str]:
        try:
            profile = self.ctx.profiles.import_file(path)
        except Exception as exc:
            return False, f"Import failed: {exc}", ""
        return True, (f"Imported \u201c{profile.name}\u201d (org {profile.org_id}, sandbox {profile.sandbox_name}); "
                      "the secret went to the keyring."), profile.name

    def use(self, name: str) -> None:
        profile = self.get(name)
        if profile is not None:
            self.ctx.activate(profile)

    # --- test connection -------------------------------------------------------------------------
    def test(self, values: dict, secret: str) -> None:
        self.ctx.run("connection-test", self._test(values, secret), on_error=self._test_error)

    def _test_error(self, exc: BaseException) -> None:
        self.test_finished.emit(False, f"Test failed: {exc}")

    async def _test(self, values: dict, secret: str) -> None:
        try:
            profile = self.build(values)
            profile.validate()
        except ValueError as exc:
            self.test_step.emit(False, f"Profile: {exc}")
            self.test_finished.emit(False, f"Fix the profile first: {exc}")
            return
        self.test_step.emit(True, "Profile fields are complete")
        sessions = self.ctx.sessions
        if secret:
            resolved, _ = await sessions.resolve(profile)
            secret_source = lambda: secret  # noqa: E731
        else:
            try:
                resolved, secret_source = await sessions.resolve(profile)
                secret_source()
            except Exception as exc:
                self.test_step.emit(False, f"Client secret: {exc}")
                self.test_finished.emit(False, "No client secret: type it in the Client secret field.")
                return
        session = sessions.make_session(resolved, secret_source)
        ok = False
        try:
            try:
                await session.ims.get_token()
                self.test_step.emit(True, f"Token from IMS ({resolved.ims_url})")
            except Exception as exc:
                from ...aep.errors import NetworkError

                self.test_step.emit(False, f"Token from IMS failed: {exc}")
                if isinstance(exc, NetworkError):
                    self.test_finished.emit(False, f"Could not reach IMS at {resolved.ims_url}: {exc}")
                else:
                    self.test_finished.emit(False, "IMS refused the credentials: check client id, secret and scopes.")
                return
            try:
                stats = await session.schemas.stats()
                tenant = getattr(stats, "tenant_id", None) or getattr(stats, "tenantId", None) or "?"
                self.test_step.emit(True, f"Schema Registry /stats: tenant {tenant}, org {resolved.org_id}, "
                                          f"sandbox {resolved.sandbox_name}")
                ok = True
            except Exception as exc:
                self.test_step.emit(False, f"Schema Registry /stats failed: {exc}")
                self.test_finished.emit(False, "The token works, but Platform refused the call: check org id and sandbox.")
                return
        finally:
            closer = getattr(session, "aclose", None)
            if closer is not None:
                await closer()
        if ok:
            self.test_finished.emit(True, f"Connection works: token and /stats for \u201c{resolved.name}\u201d.")
