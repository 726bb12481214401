"""`ducha portal`: serve the public site; `grant` its database role; print its `public-key`.

    ducha portal [--port 8001]              # the site, under ducha.portal_settings (the `ducha` command sets it)
    ducha portal grant --role ducha_portal [--password-file F]   # on the intranet, as the database owner
    ducha portal public-key                 # the key a portal on another host is given
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

PORTAL_URLCONF = "ducha.portal.urls"


def static_files_missing() -> bool:
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:
        collected = set(json.loads(manifest.read_text(encoding="utf-8"))["paths"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    ignore: list[str] = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", [])
    shipped = {path.replace(os.sep, "/") for finder in get_finders() for path, _storage in finder.list(ignore)}
    return not shipped <= collected


class Command(BaseCommand):
    help = "Serve the public portal with waitress; `grant` its PostgreSQL role; print the submission `public-key`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="serve", choices=("serve", "grant", "public-key"))
        parser.add_argument("--port", type=int, default=None, help="port (default DUCHA_PORTAL_PORT, 8001)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--threads", type=int, default=8, help="threads (default 8)")
        parser.add_argument("--role", default="ducha_portal", help="grant: the role's name (default ducha_portal)")
        parser.add_argument("--password-file", default=None,
                            help="grant: set the role's password from this file (else it is left as it is)")

    def handle(self, *args: Any, action: str, port: int | None, host: str, threads: int, role: str,
               password_file: str | None, **options: Any) -> None:
        if action == "grant":
            self.grant(role, password_file)
        elif action == "public-key":
            from ducha.publication.sealing import public_key_hex

            self.stdout.write(public_key_hex())
        else:
            self.serve(port=port or settings.DUCHA_PORTAL_PORT, host=host, threads=threads)

    def grant(self, role: str, password_file: str | None) -> None:
        from ducha.portal.grants import grant

        if settings.ROOT_URLCONF == PORTAL_URLCONF:
            raise CommandError("run `ducha portal grant` with the intranet's settings and database owner, "
                               "not the portal's", returncode=2)
        password = Path(password_file).read_text(encoding="utf-8").strip() if password_file else None
        try:
            granted = grant(role, password=password)
        except ValueError as e:
            raise CommandError(str(e), returncode=2) from None
        self.stdout.write(f"ducha: role {role} may: {', '.join(granted)}; nothing else")

    def serve(self, *, port: int, host: str, threads: int) -> None:
        if settings.ROOT_URLCONF != PORTAL_URLCONF:
            raise CommandError("the portal runs under ducha.portal_settings (the `ducha` command sets it; "
                               "or set DJANGO_SETTINGS_MODULE)", returncode=2)
        if not 0 < port < 65536 or not 1 <= threads <= 256:
            raise CommandError("--port must be 1 to 65535 and --threads 1 to 256", returncode=2)
        self.check_database()
        from ducha.portal.checks import portal_least_privilege

        for warning in portal_least_privilege():
            self.stderr.write(f"ducha portal: warning: {warning.msg}; {warning.hint}")
        from ducha.publication.sealing import public_key_hex

        public_key_hex()  # fails now, not at the first application, when the key is missing or wrong
        from ducha.publication.status import prepare

        prepare()
        if static_files_missing():
            self.stdout.write(f"ducha portal: collecting static files into {settings.STATIC_ROOT}")
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"ducha portal: serving the public site on http://{host}:{port}/ (Ctrl-C to stop)")
        self.stdout.flush()
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="ducha-portal",
              clear_untrusted_proxy_headers=not settings.DUCHA_TRUSTED_PROXIES)

    def check_database(self) -> None:
        from ducha.publication.models import Publication

        db = settings.DATABASES["default"]
        try:
            if db["ENGINE"].endswith("sqlite3") and not Path(db["NAME"]).exists():
                # Connecting would leave an empty database file where an installation was expected.
                raise DatabaseError(f"no database file {db['NAME']}")
            Publication.objects.exists()
        except DatabaseError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise CommandError(
                f"the portal cannot read the published tables ({first}). Run `ducha migrate` on the intranet, "
                "then `ducha portal grant --role …` there, and point DUCHA_PORTAL_DATABASE_URL at that role.",
                returncode=2) from None
