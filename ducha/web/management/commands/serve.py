"""`ducha serve`: the production-style server of the embedded deployment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the platform with waitress (static files included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, port: int, host: str, threads: int, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}", returncode=2)
        from waitress import serve

        from ducha.wsgi import application

        self.stdout.write(f"ducha: serving on http://{host}:{port}/ (Ctrl-C to stop)")
        serve(application, host=host, port=port, threads=threads, ident="ducha")
