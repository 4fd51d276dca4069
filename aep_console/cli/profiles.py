"""``aep-console profiles list|add|import|delete``: connection profiles (secrets in the keyring)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_CONFIG, EXIT_OK, CliError, command, note, read_secret


def register(sub: Any) -> None:
    pr = sub.add_parser("profiles", help="connection profiles")
    prsub = pr.add_subparsers(dest="profiles_command", required=True)
    command(prsub, "list", help="list profiles and the keyring in use")
    a = command(prsub, "add", help="add a profile (the secret is read from stdin into the keyring)")
    a.add_argument("--name", required=True)
    a.add_argument("--target", choices=("aep", "local-sandbox"), default="aep")
    a.add_argument("--org-id", required=True)
    a.add_argument("--client-id", required=True)
    a.add_argument("--sandbox", default="prod")
    a.add_argument("--scopes")
    a.add_argument("--sandbox-url", help="base URL of the local sandbox (local-sandbox target)")
    a.add_argument("--ims-url")
    a.add_argument("--platform-url")
    a.add_argument("--streaming-url")
    a.add_argument("--production", action="store_true")
    a.add_argument("--no-secret", action="store_true", help="do not ask for a client secret")
    i = command(prsub, "import", help="import an Adobe Developer Console credential JSON or a Postman environment")
    i.add_argument("file")
    i.add_argument("--name")
    i.add_argument("--sandbox")
    d = command(prsub, "delete", help="delete a profile and its secret")
    d.add_argument("name")
    d.add_argument("--keep-secret", action="store_true",
                   help="delete only the profile, leave its secret in the keyring (when the keyring is unavailable)")
    pr.set_defaults(handler=cmd_profiles)


def cmd_profiles(args: argparse.Namespace) -> int:
    from ..services.credentials import CredentialStore, KeyringUnavailable
    from ..services.profiles import ConnectionProfile, ProfileStore, local_profile

    creds = CredentialStore()
    store = ProfileStore(credentials=creds)
    if args.profiles_command == "list":
        try:
            note(f"keyring: {creds.backend_info().describe()}")
        except KeyringUnavailable as exc:
            note(f"keyring: unavailable — {exc.title}. {exc.advice}")
        for p in store.list():
            flag = " [production]" if p.production else ""
            print(f"{p.name}\t{p.target}\t{p.org_id}\tsandbox={p.sandbox_name}\ttenant={p.tenant_id or '?'}{flag}")
        return EXIT_OK
    if args.profiles_command == "add":
        if args.target == "local-sandbox":
            prof = local_profile(args.sandbox_url or "http://127.0.0.1:8765", sandbox_name=args.sandbox)
            prof.name, prof.org_id, prof.client_id = args.name, args.org_id, args.client_id
        else:
            prof = ConnectionProfile(name=args.name, target="aep", org_id=args.org_id, client_id=args.client_id,
                                     sandbox_name=args.sandbox, production=args.production)
        for attr, value in (("scopes", args.scopes), ("ims_url", args.ims_url), ("platform_url", args.platform_url),
                            ("streaming_url", args.streaming_url)):
            if value:
                setattr(prof, attr, value)
        secret = None if args.no_secret else read_secret("Client secret: ")
        store.add(prof, secret or None)
        if secret:
            note(f"client secret stored in {creds.backend_info().describe()}")
        print(f"profile {prof.name!r} saved")
        return EXIT_OK
    if args.profiles_command == "import":
        prof, stored = store.import_with_secret(args.file, name=args.name, sandbox_name=args.sandbox)
        if stored:
            note(f"client secret stored in {creds.backend_info().describe()}")
        else:
            note("the file holds no client secret: none was stored (the profile asks for it when it connects; "
                 "or pass --session-secret to a command)")
        print(f"profile {prof.name!r} imported (org {prof.org_id}, sandbox {prof.sandbox_name})")
        return EXIT_OK
    try:
        store.delete(args.name, forget_secret=not args.keep_secret)
    except KeyringUnavailable as exc:
        raise CliError(f"{exc} The profile {args.name!r} was kept, so that its secret is not left behind "
                       f"(--keep-secret deletes only the profile).", EXIT_CONFIG) from None
    print(f"profile {args.name!r} deleted")
    return EXIT_OK
