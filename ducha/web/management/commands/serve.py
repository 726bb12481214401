"""`ducha serve`: the production-style server of the embedded deployment."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the platform with waitress (static files included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true",
                            help="do not run the reminder loop in this process (a separate `ducha worker` runs it)")
        parser.add_argument("--worker-interval", type=float, default=None,
                            help="seconds between reminder passes (default DUCHA_WORKER_INTERVAL, 60)")

    def handle(self, *args: Any, port: int, host: str, threads: int, no_worker: bool = False,
               worker_interval: float | None = None, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}", returncode=2)
        if worker_interval is not None and worker_interval <= 0:
            raise CommandError(f"--worker-interval must be positive, not {worker_interval}", returncode=2)
        if not os.environ.get("DUCHA_SITE_URL"):
            # Links in e-mails and robot messages point at this server unless a public URL is set.
            shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 -- a comparison, not a bind
            settings.DUCHA_SITE_URL = f"http://{shown}:{port}"
        if not no_worker:
            # Embedded deployment: reminders flow with no extra service (ducha.reminders.loop).
            from ducha.reminders.loop import start_in_thread

            start_in_thread(worker_interval)
            self.stdout.write("ducha: reminder worker running in this process")
        from waitress import serve

        from ducha.wsgi import application

        self.stdout.write(f"ducha: serving on http://{host}:{port}/ (Ctrl-C to stop)")
        serve(application, host=host, port=port, threads=threads, ident="ducha")
