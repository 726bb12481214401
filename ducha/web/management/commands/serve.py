"""`ducha serve`: the production-style server of the embedded deployment."""

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

MANIFEST = "staticfiles.json"
MAX_PROCESSES = 64


def static_files_missing() -> bool:
    """True when the collected files lack the manifest, or it names less than the installation ships
    (a first start, or an upgrade): the pages would answer 500 for every file they link."""
    manifest = Path(settings.STATIC_ROOT) / MANIFEST
    try:
        collected = set(json.loads(manifest.read_text(encoding="utf-8"))["paths"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    ignore: list[str] = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", [])
    shipped = {path.replace(os.sep, "/") for finder in get_finders() for path, _storage in finder.list(ignore)}
    return not shipped <= collected


class Command(BaseCommand):
    help = "Serve the platform with waitress (static files included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--threads", type=int, default=8, help="threads per process (default 8)")
        parser.add_argument("--processes", type=int, default=1,
                            help="server processes sharing the port, to use every core (default 1; POSIX only); "
                                 "the reminder worker runs in the first")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not run the reminder loop in this process (a separate `ducha worker` runs it)")
        parser.add_argument("--worker-interval", type=float, default=None,
                            help="seconds between reminder passes (default DUCHA_WORKER_INTERVAL, 60)")

    def handle(self, *args: Any, port: int, host: str, threads: int, processes: int = 1, no_worker: bool = False,
               worker_interval: float | None = None, **options: Any) -> None:
        if not 1 <= processes <= MAX_PROCESSES:
            raise CommandError(f"--processes must be between 1 and {MAX_PROCESSES}, not {processes}", returncode=2)
        if processes > 1 and not hasattr(os, "fork"):
            raise CommandError("--processes above 1 needs a POSIX system (fork)", returncode=2)
        if not 1 <= threads <= 256:
            raise CommandError(f"--threads must be between 1 and 256, not {threads}", returncode=2)
        self.prepare(port=port, host=host, no_worker=no_worker or processes > 1, worker_interval=worker_interval)
        if processes == 1:
            self.run(port=port, host=host, threads=threads)
        else:
            from ducha.web.prefork import serve_processes

            self.stdout.write(f"ducha: {processes} processes of {threads} threads"
                              + ("" if no_worker else "; the reminder worker runs in the first"))
            self.stdout.flush()
            serve_processes(host=host, port=port, processes=processes, threads=threads,
                            worker_interval=None if no_worker else (worker_interval or 0.0))

    def prepare(self, *, port: int, host: str, no_worker: bool, worker_interval: float | None) -> None:
        """Everything before the first request: checks, static files, the reminder worker."""
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}", returncode=2)
        if worker_interval is not None and worker_interval <= 0:
            raise CommandError(f"--worker-interval must be positive, not {worker_interval}", returncode=2)
        if static_files_missing():
            self.stdout.write(f"ducha: collecting static files into {settings.STATIC_ROOT} (first start or upgrade)")
            call_command("collectstatic", interactive=False, verbosity=0)
        if not os.environ.get("DUCHA_SITE_URL"):
            # Links in e-mails and robot messages point at this server unless a public URL is set.
            shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 -- a comparison, not a bind
            settings.DUCHA_SITE_URL = f"http://{shown}:{port}"
        if not no_worker:
            # Embedded deployment: reminders flow with no extra service (ducha.reminders.loop).
            from ducha.reminders.loop import start_in_thread

            start_in_thread(worker_interval)
            self.stdout.write("ducha: reminder worker running in this process")
        self.stdout.write(f"ducha: serving on http://{host}:{port}/ (Ctrl-C to stop)")

    def run(self, *, port: int, host: str, threads: int) -> None:
        from waitress import serve

        from ducha.wsgi import application

        serve(application, host=host, port=port, threads=threads, ident="ducha",
              # Behind a trusted proxy waitress passes X-Forwarded-* through and the application
              # decides whom to believe (audit.context.TrustedProxyMiddleware): waitress itself
              # trusts one address, DUCHA_TRUSTED_PROXY lists addresses and networks. Without
              # one, waitress drops the headers as before.
              clear_untrusted_proxy_headers=not settings.DUCHA_TRUSTED_PROXIES)
