"""`ducha demo`: set up the demo city on this installation and serve it."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from ducha.org.demo import build_demo_organisation
from ducha.org.demo_data import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Migrate, load the demo city (idempotent), then serve it on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up the demo city and exit")

    def handle(self, *args: Any, port: int, no_serve: bool, **options: Any) -> None:
        translation.activate("zh-hans")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from ducha.workcal.demo import build_demo_calendar

        build_demo_calendar()
        accounts = build_demo_organisation()
        from ducha.security.actions import do_mark_demo_accounts

        do_mark_demo_accounts(usernames=[a.username for a in accounts])
        from ducha.matters.demo import build_demo_matters

        created = build_demo_matters()
        if created:
            from ducha.reports.demo import build_demo_reports

            build_demo_reports()
            self.stdout.write(f"demo: {created} supervised matters and their monthly reports created")
        from ducha.reminders.demo import build_demo_reminders

        build_demo_reminders()
        self.print_accounts(accounts)
        if not no_serve:
            call_command("serve", port=port)

    def print_accounts(self, accounts: list[Any]) -> None:
        w = self.stdout.write
        w(self.style.WARNING("=" * 72))
        w(self.style.WARNING("演示数据，仅供演示 — DEMO ONLY. These accounts share a published password;"))
        w(self.style.WARNING("never run `ducha demo` on an installation that holds real data."))
        w(self.style.WARNING("=" * 72))
        w(f"演示密码 demo password: {DEMO_PASSWORD}")
        for a in accounts:
            w(f"  {a.username:<14} {a.role:<24} {a.name}  {a.unit}")
        w(self.style.WARNING("=" * 72))
