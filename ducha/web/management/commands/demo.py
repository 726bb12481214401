"""`ducha demo`: set up the demo city on this installation and serve it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings
from django.utils import translation

from ducha.org.demo import build_demo_organisation
from ducha.org.demo_data import DEMO_PASSWORD


@contextmanager
def demo_mailbox() -> Iterator[Path]:
    """The demo city's e-mail goes into files in the data folder: its addresses are made up, and
    on the console the messages would bury the account list."""
    folder = Path(settings.DATA_DIR) / "demo-mail"
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                           EMAIL_FILE_PATH=str(folder)):
        yield folder


class Command(BaseCommand):
    help = "Migrate, load the demo city (idempotent), then serve it on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up the demo city and exit")
        parser.add_argument("--portal-port", type=int, default=None,
                            help="port of the public portal, served beside it (default DUCHA_PORTAL_PORT, 8001)")
        parser.add_argument("--no-portal", action="store_true", help="do not start the public portal")

    def handle(self, *args: Any, port: int, no_serve: bool, portal_port: int | None = None, no_portal: bool = False,
               **options: Any) -> None:
        translation.activate("zh-hans")
        with demo_mailbox() as mailbox:
            accounts = self.build()
            if no_serve:
                self.print_accounts(accounts, mailbox, url=None)
                return
            from ducha.web.management.commands.serve import Command as Serve

            server = Serve()
            server.stdout, server.stderr = self.stdout, self.stderr
            server.prepare(port=port, host="127.0.0.1", no_worker=False, worker_interval=None)
            portal_port = portal_port or settings.DUCHA_PORTAL_PORT
            portal = None if no_portal else self.start_portal(portal_port)
            # Last, so nothing scrolls the accounts away before the browser is opened.
            self.print_accounts(accounts, mailbox, url=f"http://127.0.0.1:{port}/",
                                portal_url=None if portal is None else f"http://127.0.0.1:{portal_port}/")
            try:
                server.run(port=port, host="127.0.0.1", threads=8)
            finally:
                if portal is not None:
                    portal.terminate()
                    portal.wait(timeout=10)

    def start_portal(self, port: int) -> subprocess.Popen[bytes]:
        """The public site in a process of its own (it has its own settings module), on the same
        data folder and database: the embedded default (README, "Two sites")."""
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ducha.portal_settings"}
        return subprocess.Popen([sys.executable, "-m", "ducha", "portal", "--port", str(port)], env=env)  # noqa: S603 - this interpreter, fixed arguments

    def build(self) -> list[Any]:
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
        from ducha.accountability.demo import build_demo_accountability, build_demo_announcements, build_demo_rounds

        build_demo_accountability()
        build_demo_rounds()
        build_demo_announcements()
        from ducha.awards.demo import build_demo_awards

        build_demo_awards()
        from ducha.lawful.demo import build_demo_lawful

        build_demo_lawful()
        from ducha.approvals.demo import build_demo_approvals

        build_demo_approvals()
        from ducha.staffeval.demo import build_demo_staffeval

        build_demo_staffeval()
        from ducha.evaluation.demo import build_demo_evaluation

        build_demo_evaluation()
        from ducha.publication.demo import build_demo_publications

        build_demo_publications()
        return accounts

    def print_accounts(self, accounts: list[Any], mailbox: Path, *, url: str | None,
                       portal_url: str | None = None) -> None:
        from ducha.org.models import User
        from ducha.security.policy import current as current_policy

        policy = current_policy()
        enrol = [p.username for p in User.objects.filter(username__in=[a.username for a in accounts])
                 .order_by("username") if policy.mfa_required(p)]
        w = self.stdout.write
        w(f"demo: e-mail goes to files in {mailbox}, text messages to {Path(settings.DATA_DIR) / 'sms.log'}, "
          f"group robots to {Path(settings.DATA_DIR) / 'webhook.log'}")
        w(self.style.WARNING("=" * 72))
        w(self.style.WARNING("演示数据，仅供演示 — DEMO ONLY. These accounts share a published password;"))
        w(self.style.WARNING("never run `ducha demo` on an installation that holds real data."))
        w(self.style.WARNING("=" * 72))
        w(f"演示密码 demo password: {DEMO_PASSWORD}")
        for a in accounts:
            w(f"  {a.username:<14} {a.role:<24} {a.name}  {a.unit}")
        if enrol:
            w(f"{'、'.join(enrol)}：首次登录时须用手机身份验证器（TOTP 动态口令）扫码绑定。")
            w(f"{', '.join(enrol)} enrol an authenticator app (TOTP) at their first log-in: have a phone ready.")
        if url:
            w(f"打开 open {url}")
        if portal_url:
            from ducha.publication.demo import DEMO_QUERY_CODE, DEMO_RECEIPT

            w(f"公众门户 public portal: {portal_url} (办件查询 status look-up: {DEMO_RECEIPT} / {DEMO_QUERY_CODE})")
        w(self.style.WARNING("=" * 72))
