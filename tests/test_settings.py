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
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.TIME_ZONE, s.USE_TZ, ','.join(s.ALLOWED_HOSTS), s.SECRET_KEY[:4], sep='|')"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")}
    base.update({"DUCHA_DATA_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, check=False)


def test_defaults_and_generated_secret_key(tmp_path):
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
