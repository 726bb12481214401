"""The public site (issue #17): its own URL map, pages of published things only, two languages,
rate limits and its own captcha, a CSP without other origins, a look-up that tells nothing.

The portal's settings (ducha.portal_settings) are laid over the test settings; a subprocess
checks the module itself with `check --deploy`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import get_resolver

from ducha.portal import captcha
from ducha.publication.models import Kind
from ducha.publication.publish import publish, withdraw
from tests.portal_helpers import pdf_bytes, portal_settings, publish_catalogue_item, publish_status

__all__ = ["portal_settings"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def site(portal_settings):
    return Client()


def english(client: Client) -> None:
    client.post("/language/", {"language": "en", "next": "/"})


def test_the_pages_show_what_was_published(site):
    publish_catalogue_item()
    publish(Kind.KEY_TASKS, "2026", "2026年重点工作任务", {"year": 2026, "as_of": "2026-11-30", "tasks": [
        {"number": "DB2026-0001", "title": {"zh": "建成智慧停车平台", "en": "Smart parking"}, "unit": "市发展改革委",
         "deadline": "2026-12-31", "progress": 60, "light": "yellow"},
        {"number": "DB2026-0002", "title": "老旧小区改造", "unit": "市住建局", "deadline": "2026-10-31",
         "progress": 130, "light": "red"}]})
    publish(Kind.RANKING, "2026-Q3", "2026年第三季度考评排名", {"period": "2026-Q3", "groups": [
        {"title": "市直单位", "rows": [{"rank": 1, "unit": "市财政局", "score": "96.50", "grade": "优秀"}]}]})
    bulletin = publish(Kind.BULLETIN, "宛督〔2026〕12号", "11月督查通报", {"number": "宛督〔2026〕12号", "date": "2026-12-05",
                       "body": "第一段。\n\n第二段。"}, files=[("通报.pdf", pdf_bytes("bulletin"))])
    publish(Kind.EXPOSURE, "宛督〔2026〕13号", "典型问题曝光", {"items": [{"title": "某局推诿扯皮", "body": "经查……"}]})

    home = site.get("/")
    assert home.status_code == 200 and 'data-testid="portal-home"' in home.content.decode()
    catalogue = site.get("/catalogue/").content.decode()
    assert catalogue.count('data-testid="catalogue-row"') == 1 and "食品经营许可" in catalogue
    assert "410100-XK-001" in site.get("/catalogue/?q=食品").content.decode()
    assert 'data-testid="empty"' in site.get("/catalogue/?q=nothing-like-it").content.decode()
    item = site.get("/catalogue/410100-XK-001/").content.decode()
    assert 'data-testid="item-materials"' in item and "营业执照" in item
    tasks = site.get("/key-tasks/").content.decode()
    assert tasks.count('data-testid="key-task"') == 2
    assert 'data-testid="light-yellow"' in tasks and "portal-w-100" in tasks  # 130 % drawn as a full bar
    assert "市财政局" in site.get("/rankings/2026-Q3/").content.decode()
    listed = site.get("/bulletins/").content.decode()
    assert listed.count('data-testid="publication-row"') == 1
    page = site.get("/bulletins/宛督〔2026〕12号/").content.decode()
    assert "第二段。" in page and 'data-testid="publication-files"' in page
    download = site.get(f"/files/{bulletin.files.get().pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes("bulletin")
    assert "attachment" in download.headers["Content-Disposition"]
    assert 'data-testid="exposure-item"' in site.get("/exposures/宛督〔2026〕13号/").content.decode()

    withdraw(Kind.BULLETIN, "宛督〔2026〕12号")
    assert site.get("/bulletins/宛督〔2026〕12号/").status_code == 404
    assert site.get(f"/files/{bulletin.files.get().pk}/").status_code == 404
    assert site.get("/catalogue/NO-SUCH/").status_code == 404


@pytest.mark.parametrize("path", ["/admin/", "/login/", "/matters/", "/api/", "/api/openapi.json", "/security/",
                                  "/audit/", "/approvals/", "/accounts/password/", "/inbox/"])
def test_no_intranet_url_is_reachable_through_the_portal(site, path):
    response = site.get(path)
    assert response.status_code == 404
    assert 'data-testid="portal-404"' in response.content.decode()


def test_the_portal_serves_its_own_views_only(portal_settings):
    import ducha.portal_settings as portal

    def views(patterns, found):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                views(p.url_patterns, found)
            else:
                found.add(p.callback.__module__)
        return found

    assert views(get_resolver("ducha.portal.urls").url_patterns, set()) <= {
        "ducha.portal.views", "ducha.portal.views_status", "ducha.portal.views_apply", "ducha.portal.views_rating",
        "django.views.i18n"}
    assert {a.split(".")[1] for a in portal.INSTALLED_APPS if a.startswith("ducha.")} == {"publication", "portal"}
    assert not any("auth" in m or "ducha.security" in m or "ducha.web" in m for m in portal.MIDDLEWARE)
    assert portal.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies"
    assert portal.DUCHA_DATA_KEY == ""


def test_chinese_first_and_english_on_request(site):
    publish_catalogue_item()
    page = site.get("/catalogue/410100-XK-001/").content.decode()
    assert '<html lang="zh-hans">' in page and "食品经营许可" in page
    english(site)
    page = site.get("/catalogue/410100-XK-001/").content.decode()
    assert '<html lang="en">' in page and "Food business licence" in page and "Business licence" in page
    assert "Service catalogue" in page
    # a text published in Chinese only stays Chinese
    assert "《中华人民共和国食品安全法》" in page


def test_the_csp_names_no_other_origin(site):
    policy = site.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert not re.search(r"https?:|\*|'unsafe-", policy), policy
    assert site.get("/").headers["X-Frame-Options"] == "DENY"


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_unknown_numbers_and_wrong_codes_get_the_same_answer_after_the_same_work(site, monkeypatch):
    from ducha.publication import status

    publish_status("SP2026120001", "K7XPM2AB")
    checks = []
    real = status.check_password
    monkeypatch.setattr(status, "check_password", lambda code, encoded: checks.append(encoded) or real(code, encoded))

    unknown = site.post("/status/", {"receipt": "SP2026999999", "code": "K7XPM2AB"})
    wrong = site.post("/status/", {"receipt": "SP2026120001", "code": "WRONGCODE"})
    assert unknown.status_code == wrong.status_code == 200
    assert 'data-testid="status-not-found"' in unknown.content.decode()
    pattern = re.compile(r'value="SP2026\d+"|value="[A-Z0-9]+"')
    assert pattern.sub("", _without_tokens(unknown.content.decode())) == pattern.sub(
        "", _without_tokens(wrong.content.decode()))
    # one slow hash check each: a decoy of the same hasher for the unknown number
    assert len(checks) == 2 and checks[0].split("$")[0] == checks[1].split("$")[0]


def test_the_right_code_shows_the_state_and_its_documents(site):
    status_pub = publish_status("SP2026120001", "K7XPM2AB", files=[("决定书.pdf", pdf_bytes("decision"))])
    found = site.post("/status/", {"receipt": "sp2026120001", "code": "k7xpm2ab"}).content.decode()
    assert 'data-testid="status-result"' in found and "已办结" in found
    link = re.search(r'href="(/status/files/[^"]+/)"', found).group(1)
    assert b"".join(site.get(link).streaming_content) == pdf_bytes("decision")
    # the decision is not a public file
    assert site.get(f"/files/{status_pub.files.get().pk}/").status_code == 404
    assert site.get("/status/files/forged-token/").status_code == 404


def test_posts_are_rate_limited_per_address(site, portal_settings):
    portal_settings.DUCHA_PORTAL_RATE_PER_MINUTE = 3
    portal_settings.DUCHA_PORTAL_CAPTCHA_AFTER = 100
    answers = [site.post("/status/", {"receipt": "X", "code": "Y"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = site.post("/status/", {"receipt": "X", "code": "Y"})
    assert 'data-testid="too-many"' in refused.content.decode() and refused.headers["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/status/", {"receipt": "X", "code": "Y"}).status_code == 200
    assert site.get("/status/").status_code == 200  # reading the form is not counted


def test_a_captcha_after_repeated_failures(site, portal_settings, monkeypatch):
    portal_settings.DUCHA_PORTAL_CAPTCHA_AFTER = 2
    publish_status("SP2026120001", "K7XPM2AB")
    shown = []
    real_render = captcha.render_png
    monkeypatch.setattr(captcha, "render_png", lambda answer: shown.append(answer) or real_render(answer))
    assert 'data-testid="captcha"' not in site.get("/status/").content.decode()
    for _ in range(2):
        site.post("/status/", {"receipt": "SP2026120001", "code": "BAD"})
    form = site.get("/status/").content.decode()
    assert 'data-testid="captcha"' in form and 'src="data:image/png;base64,' in form
    # the right code without the picture's characters is not looked up
    refused = site.post("/status/", {"receipt": "SP2026120001", "code": "K7XPM2AB", "captcha": "nope"})
    assert 'data-testid="status-result"' not in refused.content.decode()
    cookie = site.cookies[portal_settings.SESSION_COOKIE_NAME].value
    answer = shown[-1]
    found = site.post("/status/", {"receipt": "SP2026120001", "code": "K7XPM2AB", "captcha": answer.lower()})
    assert 'data-testid="status-result"' in found.content.decode()
    # the answered challenge does not serve twice, even with the old cookie sent again
    site.cookies[portal_settings.SESSION_COOKIE_NAME] = cookie
    site.post("/status/", {"receipt": "SP2026120001", "code": "K7XPM2AB", "captcha": shown[-2]})
    again = site.post("/status/", {"receipt": "SP2026120001", "code": "K7XPM2AB", "captcha": answer})
    assert 'data-testid="status-result"' not in again.content.decode()


def test_the_portal_writes_no_session_row(site, portal_settings):
    portal_settings.DUCHA_PORTAL_CAPTCHA_AFTER = 0  # a challenge in the session on every form
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session")
        before = cursor.fetchone()[0]
        site.get("/status/")
        site.post("/status/", {"receipt": "X", "code": "Y", "captcha": "Z"})
        cursor.execute("SELECT COUNT(*) FROM django_session")
        assert cursor.fetchone()[0] == before
    assert portal_settings.SESSION_COOKIE_NAME in site.cookies


def test_its_own_error_pages(portal_settings):
    from ducha.portal import views

    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404 and 'data-testid="portal-404"' in missing.content.decode()
    failed = views.server_error(RequestFactory().get("/"))
    assert failed.status_code == 500 and b'data-testid="portal-500"' in failed.content
    assert b"/static/" not in failed.content


def test_check_deploy_is_clean_for_the_portal_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))} | {
        "DUCHA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ducha.portal_settings",
        "DUCHA_HTTPS": "1", "DUCHA_SECRET_KEY": "k" + "x7Qp2Lm9Zr4Tv8Wb3Ny6Hc1Jd5Fg0Ks" * 2,
        "DUCHA_PORTAL_ALLOWED_HOSTS": "www.example.gov.cn",
        "DUCHA_SUBMISSION_PUBLIC_KEY": "ab" * 32,
    }
    out = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_the_portal_imports_only_what_the_public_may_touch():
    """Floors allow the portal (rank 32) anything below it; the public site holds itself to less:
    the publication tables and the plain modules, never an intranet app."""
    from tests.test_layers import import_edges

    allowed = {"publication", "environment", "dburl", "settings", "rules", "portal", "portal_settings"}
    reached = {b for (a, b) in import_edges() if a in ("portal", "portal_settings")}
    assert reached <= allowed, reached - allowed


def test_the_ducha_command_starts_the_portal_under_its_own_settings():
    from ducha.cli import serves_portal

    assert serves_portal(["portal"]) and serves_portal(["portal", "--port", "8002"]) and serves_portal(["portal", "serve"])
    assert not serves_portal(["portal", "grant", "--role", "ducha_portal"])
    assert not serves_portal(["portal", "public-key"]) and not serves_portal(["serve"]) and not serves_portal([])


def test_check_deploy_warns_a_portal_on_postgresql_without_its_role_or_public_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))} | {
        "DUCHA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ducha.portal_settings",
        "DUCHA_DATABASE_URL": "postgres://ducha@127.0.0.1:5432/ducha"}
    out = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--tag", "ducha_portal"],
                         env=env, capture_output=True, text=True, check=False)
    assert "ducha_portal.W001" in out.stdout + out.stderr and "ducha_portal.W002" in out.stdout + out.stderr
