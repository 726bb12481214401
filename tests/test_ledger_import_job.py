"""S2.4 the Excel ledger import as a job (issue #11 items 9 and 26): the upload queues the file's
check for the worker, no web request reads or writes the ledger, the page polls the job's stage
and rows, shows the check's result and asks the office to confirm before anything is written;
a refused file leaves no start button; a worksheet over DUCHA_LEDGER_IMPORT_MAX_ROWS is refused
naming the limit and its row count; no message names a file the platform stored.
"""

from __future__ import annotations

import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from ducha.ledger.models import JobStatus, LedgerEvent, LedgerImportJob
from ducha.matters.models import Matter
from ducha.reminders.loop import run_db_tasks
from tests.ledger_helpers import build_year

HEADERS = ["序号", "督查事项", "牵头单位", "责任领导", "工作目标", "定性标准", "完成时限"]


@pytest.fixture
def built(city, settings, tmp_path, clock):
    return build_year(city, settings, tmp_path, clock)


def ledger_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年重点工作督查台账"])
    ws.append(HEADERS)
    for i, (title, leader) in enumerate(rows, start=1):
        ws.append([i, title, "市财政局", leader, "目标", "按期完成", date(2026, 10, 30)])
    wb.save(path)
    return path


def upload(client, path, capture):
    with capture(execute=True), path.open("rb") as f:
        response = client.post(reverse("ledger:import", args=[2026]), {"file": f})
    assert response.status_code == 302
    return LedgerImportJob.objects.get(pk=int(re.search(r"/imports/(\d+)/", response.url)[1])), response.url


def post_every_form_of(client, html):
    """Submit every form and htmx POST the page offers, as a browser would on load or click."""
    for url in set(re.findall(r'(?:hx-post|action)="([^"]+)"', html)):
        if "/imports/" in url:
            client.post(url, HTTP_HX_REQUEST="true")


def test_item_9_the_import_runs_in_the_worker_never_in_a_web_request(
        client, built, tmp_path, django_capture_on_commit_callbacks):
    """A large file once held one request for 170 s: the upload and the job page only queue and
    show; the worker's pass runs the check, and after the confirmation the write."""
    path = ledger_file(tmp_path / "ledger.xlsx", [("排队导入的事项", "Victor")])
    client.force_login(built.alice)
    job, url = upload(client, path, django_capture_on_commit_callbacks)
    page = client.get(url).content.decode()
    post_every_form_of(client, page)
    assert LedgerImportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED  # no request ran it

    # The page polls the job's progress row while it waits or runs.
    progress_url = reverse("ledger:import-progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    LedgerImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, stage="validating", rows_done=2000,
                                                     rows_total=8000)
    fragment = client.get(progress_url).content.decode()
    assert "2000" in fragment and "8000" in fragment and 'value="25"' in fragment and "every 1s" in fragment
    LedgerImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, stage="", rows_done=0, rows_total=0)

    assert run_db_tasks() == 1  # the worker's pass
    assert LedgerImportJob.objects.get(pk=job.pk).status == JobStatus.CHECKED
    assert not Matter.objects.filter(title="排队导入的事项").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledger:import-confirm", args=[job.pk]))
    assert LedgerImportJob.objects.get(pk=job.pk).status == JobStatus.CONFIRMED
    assert not Matter.objects.filter(title="排队导入的事项").exists()
    assert run_db_tasks() == 1
    assert LedgerImportJob.objects.get(pk=job.pk).status == JobStatus.DONE
    assert Matter.objects.filter(title="排队导入的事项", status="draft").exists()


def test_item_9_a_worksheet_over_the_row_cap_is_refused_naming_the_cap_and_its_rows(
        client, built, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.DUCHA_LEDGER_IMPORT_MAX_ROWS = 10
    path = ledger_file(tmp_path / "long.xlsx", [(f"事项{i}", "Victor") for i in range(12)])  # 2 + 12 rows
    client.force_login(built.alice)
    job, url = upload(client, path, django_capture_on_commit_callbacks)
    run_db_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error_count == 1
    message = job.errors[0]["message"]
    assert "14 行" in message and "上限 10 行" in message
    page = client.get(url).content.decode()
    assert message in page
    assert not Matter.objects.filter(title__startswith="事项").exists()
    # The form says the limit before the upload.
    assert "10" in client.get(reverse("ledger:import", args=[2026])).content.decode()


def test_item_26_the_check_result_is_shown_and_the_write_waits_for_a_confirmation(
        client, built, tmp_path, django_capture_on_commit_callbacks):
    path = ledger_file(tmp_path / "ledger.xlsx", [("新的事项甲", "Victor"), ("新的事项乙", "Victor")])
    client.force_login(built.alice)
    job, url = upload(client, path, django_capture_on_commit_callbacks)
    run_db_tasks()
    page = client.get(url).content.decode()
    assert 'data-status="checked"' in page and "hx-trigger" not in page  # the check is over: no polling
    assert "data-testid=\"job-effect\"" in page and "新建 2 个草稿事项" in page
    assert "开始导入" in page and reverse("ledger:import-confirm", args=[job.pk]) in page
    assert not Matter.objects.filter(title__startswith="新的事项").exists()
    events = LedgerEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledger:import-confirm", args=[job.pk]))
        client.post(reverse("ledger:import-confirm", args=[job.pk]))  # a second click changes nothing
    run_db_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.confirmed_by == built.alice
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    assert Matter.objects.filter(title__startswith="新的事项", status="draft").count() == 2
    assert LedgerEvent.objects.count() == events + 1
    assert 'data-status="done"' in client.get(url).content.decode()
    # Only the supervision office confirms.
    client.force_login(built.sam)
    assert client.post(reverse("ledger:import-confirm", args=[job.pk])).status_code == 404


def test_item_26_a_refused_file_leaves_no_start_button(client, built, tmp_path, django_capture_on_commit_callbacks):
    path = ledger_file(tmp_path / "bad.xlsx", [("新的事项", "Victor"), ("错的事项", "Nobody")])
    client.force_login(built.alice)
    job, url = upload(client, path, django_capture_on_commit_callbacks)
    run_db_tasks()
    page = client.get(url).content.decode()
    assert 'data-status="failed"' in page
    assert "D列「责任领导」" in page and "<td>4</td>" in page
    assert "开始导入" not in page and "/confirm/" not in page
    assert client.post(reverse("ledger:import-confirm", args=[job.pk])).status_code == 302
    assert LedgerImportJob.objects.get(pk=job.pk).status == JobStatus.FAILED
    assert not Matter.objects.filter(title__in=["新的事项", "错的事项"]).exists()


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken"])
def test_item_26_messages_never_show_an_internal_file_name(
        client, built, tmp_path, settings, content, django_capture_on_commit_callbacks):
    path = tmp_path / "我的台账.xlsx"
    path.write_bytes(content)
    client.force_login(built.alice)
    job, url = upload(client, path, django_capture_on_commit_callbacks)
    run_db_tasks()
    job.refresh_from_db()
    stored = job.file.name.rsplit("/", 1)[-1]
    page = client.get(url).content.decode()
    assert job.status == JobStatus.FAILED and "xlsx" in job.errors[0]["message"]
    for internal in (stored, str(settings.MEDIA_ROOT), "/tmp", "ledger-imports"):
        assert internal not in page, internal
        assert internal not in job.errors[0]["message"], internal
    assert "我的台账.xlsx" in page  # the name the person gave


def test_import_refuses_non_xlsx_upload(client, built, tmp_path):
    client.force_login(built.alice)
    path = tmp_path / "ledger.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with path.open("rb") as f:
        response = client.post(reverse("ledger:import", args=[2026]), {"file": f})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert not LedgerImportJob.objects.exists()


def test_import_pages_are_the_supervision_office_s(client, built, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(built.sam)
    assert client.get(reverse("ledger:import", args=[2026])).status_code == 404
    client.force_login(built.alice)
    job, url = upload(client, ledger_file(tmp_path / "a.xlsx", [("事项", "Victor")]), django_capture_on_commit_callbacks)
    client.force_login(built.sam)
    assert client.get(url).status_code == 404
    assert client.get(reverse("ledger:import-progress", args=[job.pk])).status_code == 404
