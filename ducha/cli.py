"""The `ducha` command: every Django management command, under the project's own name.

`ducha demo`, `ducha serve` and `ducha worker` are management commands of the project's
apps, so they get Django's argument parsing, `--help` and exit codes for free.

A command that needs the database first checks that there is a migrated one where the
settings point. Run from the wrong folder (the default data folder is ./var) or before
`ducha migrate`, it says which data folder and database it looked at, how to point it
elsewhere and what to run, and exits 2, instead of failing deep inside with "no such table".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ducha.environment import data_dir, ensure_data_dir

# Commands that work without a migrated database: they set one up, describe the code or the
# settings, or bring their own (demo and restore migrate first).
NO_DATABASE_NEEDED = frozenset({
    "help", "version", "migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations",
    "optimizemigration", "check", "collectstatic", "findstatic", "compilemessages", "makemessages",
    "diffsettings", "shell", "dbshell", "test", "testserver", "startapp", "startproject", "sendtestemail",
    "demo", "restore",
})


def needs_database(args: list[str]) -> bool:
    if not args or args[0].startswith("-") or args[0] in NO_DATABASE_NEEDED:
        return False
    return not {"-h", "--help", "--version"} & set(args[1:])


def describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"the SQLite file {db['NAME']}"
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"the PostgreSQL database {db['NAME']!r} on {where} as {db.get('USER') or 'the current user'!r}"


def database_problem() -> str:
    """'' when the database is there and fully migrated, else what is wrong with it."""
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not Path(db["NAME"]).exists():
        return "there is no database there"  # and connecting would create an empty file
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as e:
        return f"it cannot be opened ({str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__})"
    finally:
        connection.close()
    if not pending:
        return ""
    if not executor.loader.applied_migrations:
        return "it is not set up (no migration has been applied)"
    return f"{len(pending)} migration(s) of this version are not applied yet"


def explain(problem: str) -> str:
    from django.conf import settings

    source = "from DUCHA_DATA_DIR" if os.environ.get("DUCHA_DATA_DIR") else "the default ./var, as no DUCHA_DATA_DIR is set"
    url = "from DUCHA_DATABASE_URL" if os.environ.get("DUCHA_DATABASE_URL") else "in the data folder"
    return (
        f"ducha: the database is not ready: {problem}.\n"
        f"  data folder: {settings.DATA_DIR} ({source})\n"
        f"  database:    {describe_database()} ({url})\n"
        "To use an existing installation, set DUCHA_DATA_DIR to its data folder (or DUCHA_DATABASE_URL to its\n"
        "database), or run ducha from the folder that holds ./var. To set up this one, or bring it up to\n"
        "this version, run `ducha migrate` (or `ducha demo` for the demo city).\n"
    )


def serves_portal(args: list[str]) -> bool:
    """`ducha portal` (or `ducha portal serve`): the public site, under its own settings. Its
    `grant` and `public-key` run under the intranet's."""
    return bool(args) and args[0] == "portal" and not {"grant", "public-key", "-h", "--help"} & set(args[1:])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    portal = serves_portal(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.portal_settings" if portal else "ducha.settings")
    try:
        ensure_data_dir()  # before the settings read the keys it creates on first run
    except OSError as e:
        sys.stderr.write(f"ducha: cannot set up the data folder {data_dir()}: {e.strerror or e}\n")
        sys.exit(2)
    # The portal's role may not read the migration table: `ducha portal` checks what it reads itself.
    if needs_database(args) and not portal:
        import django

        django.setup()
        problem = database_problem()
        if problem:
            sys.stderr.write(explain(problem))
            sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ducha", *args])


if __name__ == "__main__":
    main()
