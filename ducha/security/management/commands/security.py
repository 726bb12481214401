"""`ducha security …`: first start without default accounts, and the break-glass operations.

  bootstrap --system NAME --security NAME --auditor NAME
      creates the three administrator accounts (三权分立) with one-time passwords, shown once
  issue-password USERNAME    a new one-time password (must be changed; the account is unlocked)
  unlock USERNAME            ends a lock-out before it expires
  reset-factor USERNAME      removes a lost authenticator (set up again at next log-in)
  mark-demo USERNAME …       flags accounts as demo-only (`ducha demo` does this)
  sweep                      deletes expired sessions, stale lock counters and old rate counters

Every operation is audited as done from the command line. Errors: one line, exit 2.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ducha.audit.context import cli_context
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.security import actions, lockout
from ducha.security.models import RateCounter, UserSession


class Command(BaseCommand):
    help = "Account security operations: bootstrap the administrators, one-time passwords, unlock, sweep."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        boot = sub.add_parser("bootstrap", help="create the three administrator accounts")
        for flag in ("system", "security", "auditor"):
            boot.add_argument(f"--{flag}", required=True, metavar="USERNAME")
        for op in ("issue-password", "unlock", "reset-factor"):
            sub.add_parser(op).add_argument("username")
        sub.add_parser("mark-demo").add_argument("usernames", nargs="+")
        sub.add_parser("sweep")

    def handle(self, *args: Any, op: str, **options: Any) -> None:
        with cli_context(f"security {op}"):
            try:
                getattr(self, op.replace("-", "_"))(**options)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages), returncode=2) from None

    def _person(self, username: str) -> User:
        person = User.objects.filter(username__iexact=username).first()
        if person is None:
            raise CommandError(f"no account named {username!r}", returncode=2)
        return person

    def bootstrap(self, *, system: str, security: str, auditor: str, **_: Any) -> None:
        names: dict[str, tuple[str, str]] = {Role.SYSTEM_ADMIN: (system, "系统管理员"), Role.SECURITY_ADMIN: (security, "安全管理员"),
                 Role.AUDITOR: (auditor, "审计管理员")}
        if len({system.lower(), security.lower(), auditor.lower()}) != 3:
            raise CommandError("the three administrators need three different user names", returncode=2)
        issued = actions.do_bootstrap_administrators(accounts=names)
        self.stdout.write("One-time passwords (shown once; each must be changed at first log-in, and each "
                          "administrator sets up an authenticator app then):")
        for username, password in issued.items():
            self.stdout.write(f"  {username:<20} {password}")

    def issue_password(self, *, username: str, **_: Any) -> None:
        password = actions.do_issue_one_time_password(actor=None, person=self._person(username))
        self.stdout.write(f"one-time password for {username} (must be changed at log-in): {password}")

    def unlock(self, *, username: str, **_: Any) -> None:
        n = actions.do_unlock_account(actor=None, username=lockout.normalise(username))  # type: ignore[arg-type]
        self.stdout.write(f"{username}: {n} lock counter(s) cleared")

    def reset_factor(self, *, username: str, **_: Any) -> None:
        actions.do_reset_second_factor(actor=None, person=self._person(username))
        self.stdout.write(f"{username}: authenticator removed; a new one is set up at the next log-in")

    def mark_demo(self, *, usernames: list[str], **_: Any) -> None:
        self.stdout.write(f"{actions.do_mark_demo_accounts(usernames=usernames)} account(s) flagged demo-only")

    def sweep(self, **_: Any) -> None:
        sessions, _n = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
        counters = lockout.sweep()
        rates, _n = RateCounter.objects.filter(window__lt=int(timezone.now().timestamp()) - 86400).delete()
        self.stdout.write(f"deleted {sessions} expired sessions, {counters} lock counters, {rates} rate counters")
