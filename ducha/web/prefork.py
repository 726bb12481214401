"""``ducha serve --processes N``: several waitress processes sharing one listening socket.

One Python process runs one request's Python at a time (the GIL), so a single process uses
one core however many threads it has (bench/load.py). The parent binds the port, forks N
children that each serve it with waitress and their own threads (the kernel hands each
new connection to one of them), starts the reminder worker in the first child only, and
starts a child again if one dies. SIGTERM or Ctrl-C stops them all. Nothing new to install:
waitress is already the server of the embedded deployment (docs/decisions/0008).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from types import FrameType

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)
RESTART_PAUSE = 1.0  # seconds before a child that died is started again: a crash loop stays slow


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024)
    sock.set_inheritable(True)
    return sock


def _child(sock: socket.socket, threads: int, worker_interval: float | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    from waitress import serve

    from ducha.wsgi import application

    if worker_interval is not None:
        from ducha.reminders.loop import start_in_thread

        start_in_thread(worker_interval or None)
    serve(application, sockets=[sock], threads=threads, ident="ducha",
          clear_untrusted_proxy_headers=not settings.DUCHA_TRUSTED_PROXIES)


def serve_processes(*, host: str, port: int, processes: int, threads: int, worker_interval: float | None) -> None:
    """Serve until stopped. ``worker_interval``: None for no reminder worker, 0 for the setting's."""
    sock = _listen(host, port)
    import ducha.wsgi  # noqa: F401 -- loaded once here, shared by the children copy-on-write

    connections.close_all()  # a connection must not cross a fork
    children: dict[int, int] = {}
    stopping = False

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _child(sock, threads, worker_interval if index == 0 else None)
            except Exception:  # a child reports and ends; the parent starts another
                log.exception("ducha serve: process %d failed", index)
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        children[pid] = index

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for i in range(processes):
        spawn(i)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        index = children.pop(pid, None)
        if index is not None and not stopping:
            log.error("ducha serve: process %d (pid %d) ended with status %d; starting it again", index, pid, status)
            time.sleep(RESTART_PAUSE)
            if not stopping:  # a stop during the pause has already told the others
                spawn(index)
    sock.close()
