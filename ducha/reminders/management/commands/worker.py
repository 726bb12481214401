"""`ducha worker`: the reminder loop on its own (scale-out: any number, any machines)."""

from __future__ import annotations

import json as jsonlib
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ducha.reminders import loop


class Command(BaseCommand):
    help = "Create due reminders and deliver the outbox: once (--once) or every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single pass and exit")
        parser.add_argument("--json", action="store_true", help="with --once: print one JSON line of figures")
        parser.add_argument("--interval", type=float, default=None,
                            help="seconds between passes (default DUCHA_WORKER_INTERVAL, 60)")
        parser.add_argument("--batch", type=int, default=1000, help="matters per transaction (default 1000)")

    def handle(self, *args: Any, once: bool, json: bool, interval: float | None, batch: int,
               **options: Any) -> None:
        every = settings.DUCHA_WORKER_INTERVAL if interval is None else interval
        if every <= 0:
            raise CommandError(f"--interval must be a positive number of seconds, not {every}", returncode=2)
        if not 1 <= batch <= 10000:
            raise CommandError(f"--batch must be between 1 and 10000, not {batch}", returncode=2)
        if json and not once:
            raise CommandError("--json needs --once", returncode=2)
        stop = threading.Event()

        def on_signal(signum: int, frame: Any) -> None:
            # Finish the batch in hand, then leave: a batch is one short transaction.
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if once:
            figures = loop.run_once(batch_size=batch, stop=stop)
            if json:
                self.stdout.write(_dumps(figures))
            else:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in figures.items()))
            return
        self.stdout.write(f"ducha worker: a pass every {every:g}s (SIGTERM or Ctrl-C to stop)")
        loop.run_forever(stop, interval=every, batch_size=batch)


def _dumps(figures: dict[str, Any]) -> str:
    return jsonlib.dumps(figures, sort_keys=True)
