"""`ducha workdays` and `ducha calendar`: the exact output scripts depend on.

Contract: the answer alone on stdout; on error exactly one line on stderr per problem,
nothing on stdout, exit status 2. Seed rules: "Calendar and time rules", S1.13.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ducha.workcal import service
from ducha.workcal.demo import build_demo_calendar
from ducha.workcal.models import CalendarDay, CalendarYear, DeadlineMove, WorkdayDeadline

# TEST DATA, NOT the official 2027 notice: a few plausible days of 2027.
CSV_2027 = "date,kind,name,source\n2027-01-01,holiday,元旦,test data\n2027-02-06,holiday,春节,test data\n" \
    "2027-02-07,holiday,春节,test data\n2027-02-20,makeup_workday,春节,test data\n"


@pytest.fixture(autouse=True)
def _seeded_calendar(db):
    build_demo_calendar()


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("workdays", "add", "2014-09-26", "3"), "2014-09-30\n"),  # S1.13 seed example
        (("workdays", "add", "2014-09-30", "3"), "2014-10-10\n"),  # 1–7 October holidays
        (("workdays", "add", "2026-02-13", "1"), "2026-02-14\n"),  # make-up Saturday
        (("workdays", "between", "2014-09-26", "2014-09-30"), "3\n"),
        (("workdays", "between", "2014-09-30", "2014-10-10"), "3\n"),
        (("workdays", "is", "2026-02-14"), "workday\n"),
        (("workdays", "is", "2026-10-10"), "workday\n"),
        (("workdays", "is", "2026-10-11"), "weekend\n"),
        (("workdays", "is", "2026-10-01"), "holiday\n"),
        (("workdays", "deadline", "--received", "2014-09-26", "--departments", "1"), "2014-09-30\n"),
        (("workdays", "deadline", "--received", "2014-09-26", "--departments", "3"), "2014-10-09\n"),
    ],
)
def test_workdays_exact_output_S1_13(args, expected):
    assert run(*args) == expected


def test_deadline_several_departments_follows_the_setting(settings):
    settings.DUCHA_SEVERAL_DEPARTMENTS_DAYS = 6
    assert run("workdays", "deadline", "--received", "2014-09-26", "--departments", "2") == "2014-10-10\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("workdays", "add", "2026-12-30", "3"), "2027"),
        (("workdays", "is", "2027-01-04"), "2027"),
        (("workdays", "add", "2026-02-30", "3"), "日期无效"),
        (("workdays", "add", "2026-02-03", "three"), "不是整数"),
        (("workdays", "deadline", "--received", "2026-02-03", "--departments", "0"), "应为正整数"),
        (("calendar", "import", "/nonexistent/2027.csv"), "找不到文件"),
    ],
)
def test_errors_raise_command_error_with_status_2(args, message):
    with pytest.raises(CommandError) as e:
        run(*args)
    assert e.value.returncode == 2
    assert message in str(e.value)


def test_calendar_years_lists_counts_and_notice():
    lines = run("calendar", "years").splitlines()
    notices = [line for line in lines if "provisional" not in line]  # provisional years: test_workcal_provisional
    assert len(notices) == 23 and lines[:23] == notices
    assert notices[-1] == "2026\tholidays=33\tmakeup_workdays=6\t国务院办公厅关于2026年部分节假日安排的通知"


def test_calendar_import_loads_the_year_and_resolves_pending(tmp_path, settings):
    settings.DUCHA_PROVISIONAL_YEARS = 0  # no provisional year: the deadline waits for the notice
    pending = service.create_deadline(date(2026, 12, 29), 5)
    path = tmp_path / "2027.csv"
    path.write_bytes("\ufeff".encode() + CSV_2027.encode())
    out = run("calendar", "import", str(path), "--notice-number", "国办发明电〔2026〕X号")
    assert out.startswith("2027年 假日 3 天、调休上班 1 天")
    assert "待确认时限已确定 1 项" in out
    assert run("workdays", "add", "2026-12-29", "5") == "2027-01-06\n"
    assert run("calendar", "years").splitlines()[-1].endswith("国办发明电〔2026〕X号")
    assert CalendarYear.objects.get(year=2027).source == "import: 2027.csv"
    pending.refresh_from_db()
    assert pending.due_date is not None


def test_calendar_import_bad_row_3_names_it_and_changes_nothing(tmp_path):
    lines = CSV_2027.splitlines()
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([lines[0], lines[1], "2027-02-10,makeup_workday,春节,test", *lines[2:]]) + "\n")
    before = (CalendarYear.objects.count(), CalendarDay.objects.count(), WorkdayDeadline.objects.count(),
              DeadlineMove.objects.count())
    with pytest.raises(CommandError) as e:
        run("calendar", "import", str(path))
    assert e.value.returncode == 2
    assert str(e.value) == (
        f"{path}: 第3行：调休上班日 2027-02-10 是星期三，只有周六、周日可以调休上班。"
    )
    after = (CalendarYear.objects.count(), CalendarDay.objects.count(), WorkdayDeadline.objects.count(),
             DeadlineMove.objects.count())
    assert after == before


# -- the real `ducha` console script ---------------------------------------------------


@pytest.fixture(scope="module")
def ducha_env(tmp_path_factory) -> dict[str, str]:
    """A fresh installation: its own SQLite file and data directory, migrated (and seeded)."""
    data = tmp_path_factory.mktemp("ducha-cli")
    env = {**os.environ, "DUCHA_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}", "DUCHA_DATA_DIR": str(data)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([DUCHA, "migrate", "-v", "0"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return env


DUCHA = str(Path(sys.executable).parent / "ducha")


def ducha(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DUCHA, *args], env=env, capture_output=True, text=True, timeout=120)


def test_console_script_add_S1_13(ducha_env):
    result = ducha(ducha_env, "workdays", "add", "2014-09-26", "3")
    assert (result.returncode, result.stdout, result.stderr) == (0, "2014-09-30\n", "")


def test_console_script_uncovered_year_is_one_line_and_exit_2(ducha_env):
    result = ducha(ducha_env, "workdays", "add", "2027-03-01", "3")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "ducha: 工作日历未包含 2027 年：请导入该年的放假安排通知。\n"


@pytest.mark.parametrize(
    "args",
    [
        ("workdays", "add", "2026-02-30", "3"),
        ("workdays", "add", "2026-02-03", "x"),
        ("workdays", "add", "2026-02-03"),
        ("workdays", "frobnicate"),
        ("workdays",),
        ("workdays", "deadline", "--received", "2026-02-03"),
        ("calendar", "import", "/nonexistent/file.csv"),
    ],
)
def test_console_script_malformed_arguments_are_one_line_and_exit_2(ducha_env, args):
    result = ducha(ducha_env, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("ducha"), result.stderr


def test_console_script_refused_file_exit_2(ducha_env, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,kind,name,source\n2027-01-01,holiday,元旦,t\n2027-02-30,holiday,春节,t\n")
    result = ducha(ducha_env, "calendar", "import", str(path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"ducha: {path}: 第3行：日期无效 '2027-02-30'")
    assert ducha(ducha_env, "workdays", "is", "2027-01-01").returncode == 2  # nothing was loaded
