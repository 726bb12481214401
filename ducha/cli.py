"""The `ducha` command: every Django management command, under the project's own name.

`ducha demo`, `ducha serve` and (later) `ducha worker` are management commands of the
project's apps, so they get Django's argument parsing, `--help` and exit codes for free.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ducha", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
