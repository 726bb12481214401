"""Settings read from the environment, and the database URL parser behind DUCHA_DATABASE_URL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ducha.dburl import DatabaseUrlError, parse_database_url


def test_sqlite_relative_and_absolute(tmp_path):
    rel = parse_database_url("sqlite:///var/db.sqlite3", base_dir=tmp_path)
    assert rel["ENGINE"].endswith("sqlite3") and rel["NAME"] == str(tmp_path / "var/db.sqlite3")
    absolute = parse_database_url("sqlite:////srv/ducha/db.sqlite3", base_dir=tmp_path)
    assert absolute["NAME"] == "/srv/ducha/db.sqlite3"


def test_postgres_url():
    db = parse_database_url("postgres://du%40cha:p%2Fw@db.local:6543/ducha?sslmode=require", base_dir=Path())
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "ducha", "du@cha", "p/w", "db.local", "6543"
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://", "nonsense"])
def test_bad_urls_name_the_problem(url):
    with pytest.raises(DatabaseUrlError, match="DUCHA_DATABASE_URL"):
        parse_database_url(url, base_dir=Path())


def _settings_in_subprocess(tmp_path, **env):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ducha.settings';"
        "from ducha.environment import ensure_data_dir; ensure_data_dir();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.TIME_ZONE, s.USE_TZ, ','.join(s.ALLOWED_HOSTS), s.SECRET_KEY[:4], sep='|')"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")}
    base.update({"DUCHA_DATA_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, check=False)


def test_defaults_and_the_secret_key_created_on_first_run(tmp_path):
    first = _settings_in_subprocess(tmp_path)
    assert first.returncode == 0, first.stderr
    debug, tz, use_tz, hosts, key = first.stdout.strip().split("|")
    assert (debug, tz, use_tz, hosts) == ("False", "Asia/Shanghai", "True", "127.0.0.1,localhost")
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    # The same key on the next start: sessions survive a restart.
    assert _settings_in_subprocess(tmp_path).stdout.strip().split("|")[4] == key


def test_environment_overrides(tmp_path):
    out = _settings_in_subprocess(
        tmp_path, DUCHA_DEBUG="1", DUCHA_ALLOWED_HOSTS="ducha.gov.example, 10.0.0.5", DUCHA_SECRET_KEY="abcd-xyz"
    )
    assert out.stdout.strip() == "True|Asia/Shanghai|True|ducha.gov.example,10.0.0.5|abcd"
    assert not (tmp_path / "secret_key").exists()


def test_bad_boolean_is_refused(tmp_path):
    out = _settings_in_subprocess(tmp_path, DUCHA_DEBUG="maybe")
    assert out.returncode != 0 and "DUCHA_DEBUG" in out.stderr


ROOT = Path(__file__).resolve().parent.parent


def _declared_settings() -> set[str]:
    import ducha.settings as module

    return {name for name in vars(module) if name.startswith("DUCHA_")}


def test_every_ducha_setting_the_code_reads_is_declared_in_settings():
    """A setting read but not declared could not be set from the environment, and its default
    would live beside the code that reads it (issue #12)."""
    import re

    declared = _declared_settings()
    undeclared, fallbacks = [], []
    for path in (ROOT / "ducha").rglob("*.py"):
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        undeclared += [f"{path.name}: {n}" for n in re.findall(r"settings\.(DUCHA_\w+)", text) if n not in declared]
        fallbacks += [f"{path.name}: {n}" for n in re.findall(r"getattr\(settings, \"(DUCHA_\w+)\"", text)]
    assert not undeclared, undeclared
    assert not fallbacks, f"read settings.X, the default is declared once: {fallbacks}"


def _variables_read() -> set[str]:
    import re

    text = (ROOT / "ducha/settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"(?:env_\w+|_env_month_day)\(\s*\"(DUCHA_[A-Z0-9_]+)\"", text))
    return names | {"DUCHA_DATA_DIR"}  # read by ducha.environment.data_dir


def test_every_variable_is_in_the_configuration_table_and_the_table_names_no_other():
    import re

    table = (ROOT / "docs/CONFIGURATION.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(DUCHA_[A-Z0-9_]+)`", table, re.M))
    read = _variables_read()
    assert len(read) > 80
    assert not read - listed, f"missing from docs/CONFIGURATION.md: {sorted(read - listed)}"
    assert not listed - read, f"listed but never read: {sorted(listed - read)}"


def test_importing_the_settings_writes_nothing(tmp_path):
    folder = tmp_path / "fresh"
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='ducha.settings';"
            "from django.conf import settings as s; print(s.DATA_DIR, s.DUCHA_REMINDER_TIME)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")} | {"DUCHA_DATA_DIR": str(folder)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(folder), "08:30:00"]
    assert not folder.exists()


def test_the_ducha_command_creates_the_folder_and_its_keys_once(tmp_path):
    folder = tmp_path / "new-installation"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")} | {"DUCHA_DATA_DIR": str(folder)}
    first = subprocess.run([sys.executable, "-m", "ducha", "check"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    keys = {name: (folder / name).read_text() for name in ("secret_key", "data_key")}
    assert all(oct((folder / name).stat().st_mode)[-3:] == "600" for name in keys)
    assert len(bytes.fromhex(keys["data_key"])) == 32
    again = subprocess.run([sys.executable, "-m", "ducha", "check"], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert {name: (folder / name).read_text() for name in keys} == keys


def test_a_key_may_come_from_a_file(tmp_path):
    secret = tmp_path / "run-secrets" / "key"
    secret.parent.mkdir()
    secret.write_text("from-a-file-0123456789\n")
    out = _settings_in_subprocess(tmp_path, DUCHA_SECRET_KEY_FILE=str(secret))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("|from")
    assert not (tmp_path / "secret_key").exists()
    missing = _settings_in_subprocess(tmp_path, DUCHA_SECRET_KEY_FILE=str(tmp_path / "nope"))
    assert missing.returncode != 0 and "DUCHA_SECRET_KEY_FILE" in missing.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("DUCHA_REMINDER_TIME", "8h30"),
    ("DUCHA_SMS_QUIET_HOURS", "22"),
    ("DUCHA_SMS_QUIET_HOURS", "22-25"),
    ("DUCHA_BEHIND_CHECKPOINTS", "0.5,0.25"),
    ("DUCHA_BEHIND_CHECKPOINTS", "half"),
    ("DUCHA_SCAN_CONNECTIONS", "0"),
    ("DUCHA_WORKER_INTERVAL", "soon"),
    ("DUCHA_TASKS_BACKEND", "celery"),
    ("DUCHA_LETTER_VICE_MAYOR", "mayor"),
    ("DUCHA_LEDGER_CLOSE_LAST_WORKDAYS", "30"),
    ("DUCHA_LOG_LEVEL", "LOUD"),
])
def test_a_value_that_cannot_be_read_stops_the_start_naming_the_variable(tmp_path, name, value):
    out = _settings_in_subprocess(tmp_path, **{name: value})
    assert out.returncode != 0 and name in out.stderr.strip().splitlines()[-1], out.stderr[-500:]
