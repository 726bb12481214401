"""Each language shows only its own words (issue #11 item 16): error pages are the platform's
own, in the user's language; audit codes and the chain check are words; messages of the
letters (S1.4, S1.5) are one language, not "中文 (English)"; the main pages in zh-hans carry
no English words beyond the allowed tokens, and in English no Chinese beyond names."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from ducha.audit.api import record
from tests.reminders_helpers import running_matter

# Tokens a Chinese page may carry: file kinds, units of measure, the product's short names, and
# the other language's own name on the language switch.
ALLOWED_LATIN = {"English", "PDF", "OFD", "Word", "OWASP", "ASVS", "Excel", "API", "CSV", "SM3", "OK", "docx", "xlsx", "MFA", "TOTP", "ID", "IP", "KB", "MB"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
HAN = re.compile(r"[\u4e00-\u9fff]")


class _Text(HTMLParser):
    """The words the interface speaks: text outside script and style, plus placeholder, alt and
    aria-label. A textarea holds the user's own text (a letter's draft is Chinese in any language)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "alt", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


@pytest.fixture(autouse=True)
def back_to_chinese():
    """A request in English leaves English active in this thread (the locale middleware does not
    switch back); later tests expect the default language."""
    yield
    translation.activate("zh-hans")


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def latin_words(html: str, names: set[str] = frozenset()) -> set[str]:
    text = visible_text(html)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return {w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN}


def han_words(html: str, names: set[str] = frozenset()) -> list[str]:
    """Chinese on an English page, beyond proper names and the language switch's 中文."""
    text = visible_text(html)
    for name in sorted([*names, "中文"], key=len, reverse=True):
        text = text.replace(name, " ")
    return re.findall(r"[\u4e00-\u9fff]+", text)


# -- error pages ---------------------------------------------------------------------------------


def test_item_16_error_pages_are_the_platforms_own_in_the_users_language(city, client):
    client.force_login(city.sam)
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404 and 'data-status="404"' in html and "页面不存在" in html
    assert "Not Found" not in html and not latin_words(html, {"Sam"})
    assert "市发展和改革委员会" in html  # the platform's own layout, with the user's menu

    denied = client.get("/audit/")  # sam is no auditor
    assert denied.status_code == 403 and 'data-status="403"' in denied.content.decode()
    assert "无权操作" in denied.content.decode() and "Forbidden" not in denied.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/no-such-page/").content.decode()
    assert "Page not found" in english and not han_words(english, {"市发展和改革委员会"})


@pytest.mark.parametrize("language, words", [("zh-hans", "服务器错误"), ("en", "Server error")])
def test_item_16_the_500_page_needs_no_database(db, django_assert_num_queries, language, words):
    request = RequestFactory().get("/")
    with translation.override(language), django_assert_num_queries(0):
        page = defaults.server_error(request)
        bad = defaults.bad_request(request, Exception("x"))
    html = page.content.decode()
    assert page.status_code == 500 and words in html and 'data-status="500"' in html
    assert "<h1>Server Error (500)</h1>" not in html
    if language == "zh-hans":
        assert not latin_words(html) and "请求无效" in bad.content.decode()


# -- the audit trail -----------------------------------------------------------------------------


def test_item_16_audit_codes_and_the_chain_check_are_words(city, client):
    record(actor=city.sam, action="auth.login", obj_type="org.User", obj_id=city.sam.pk, before=None, after=None)
    record(actor=city.alice, action="matter.claim", obj_type="matters.Matter", obj_id=7, before=None, after=None)
    client.force_login(city.audrey)
    html = client.get("/audit/").content.decode()
    cells = re.findall(r'data-testid="event-type">([^<]*)<', html)
    assert "登录" in cells and "督办事项：申请销号" in cells
    assert ">auth.login<" not in html and ">matter.claim<" not in html
    assert "督办事项 7" in visible_text(html)  # the object's kind by name, not matters.Matter

    verified = client.post("/audit/verify/", follow=True).content.decode()
    assert re.search(r"审计链完整：已校验\d+条记录。", verified)
    assert "audit chain intact" not in verified and "events verified" not in verified


# -- messages ------------------------------------------------------------------------------------


def test_item_16_letter_messages_speak_one_language(city):
    """S1.4: a refused step says why in the user's language only."""
    from ducha.letters.actions import LetterDraft, LetterError, do_send_co_unit_letter

    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 11, 30))])
    part = m.co_parts.get()
    draft = LetterDraft(title="", body="短", token="t" * 32)
    with translation.override("zh-hans"), pytest.raises(LetterError) as zh:
        do_send_co_unit_letter(actor=city.sam, co_part_id=part.pk, today=date(2026, 10, 8), draft=draft)
    with translation.override("en"), pytest.raises(LetterError) as en:
        do_send_co_unit_letter(actor=city.sam, co_part_id=part.pk, today=date(2026, 10, 8), draft=draft)
    assert zh.value.errors == {"title": "请填写标题。", "body": "正文过短，请写明事项、时限和要求。"}
    assert en.value.errors == {"title": "The title is required.",
                               "body": "The text is too short: state the matter, the time limit and the request."}


def test_item_16_no_mixed_message_is_left_in_the_letters():
    """The letters' code holds no "中文 (English)" message: the words come from the catalogue."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "ducha"
    mixed = re.compile(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*\s\([a-z][^"\n]*\)"')
    found = [f"{p.name}:{i}" for p in [*sorted((root / "letters").glob("*.py")), root / "rules" / "letters.py"]
             for i, line in enumerate(p.read_text().splitlines(), 1) if mixed.search(line)]
    assert found == []


# -- the main pages, as each role walks them -----------------------------------------------------

MAIN_PAGES = ["/", "/matters/", "/matters/dashboard/", "/matters/map/", "/matters/new/", "/reports/", "/letters/",
              "/letters/proposals/", "/letters/counts/", "/letters/requests/", "/letters/new/request/", "/ledger/", "/units/", "/inbox/", "/account/security/",
              "/audit/", "/security/", "/admin/", "/accountability/", "/accountability/new/", "/accountability/special/",
              "/accountability/cases/", "/accountability/cases/new/", "/accountability/rounds/",
              "/accountability/rounds/new/", "/awards/", "/lawful/", "/lawful/new/", "/staff-evaluation/",
              "/reports/closes/", "/burden/", "/evaluation/"]
# Identifiers are not words: matter numbers (DB2026-0001), addresses, a page's path in the audit trail.
SEED_IDS = re.compile(r"\bS\d\.\d+")
IDENTIFIERS = re.compile(r"DB\d{4}-\d+|\b\d{1,3}(?:\.\d{1,3}){3}\b|(?<!\w)/[\w/.-]*")


def _walk(client, city, language):
    from ducha.org.models import LeaderPost, Unit, User

    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 11, 30))])
    people = {u.name for u in User.objects.all()} | {u.username for u in User.objects.all()}
    names = ({u.name for u in Unit.objects.all()} | {u.short_name for u in Unit.objects.all()}
             | {u.code for u in Unit.objects.all()} | set(LeaderPost.objects.values_list("title", flat=True))
             | {m.title, m.goal, m.target_unit, "资金保障"}
             | {getattr(m, f, "") for f in ("projects", "standard", "qualitative_standard")}
             | set(m.milestones.values_list("title", flat=True)))
    leaks = {}
    for user in (city.alice, city.gina, city.sam, city.victor, city.mayor, city.audrey, city.sysop, city.sec):
        client.force_login(user)
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        for url in [*MAIN_PAGES, f"/matters/{m.pk}/", f"/letters/new/co-unit/{m.co_parts.get().pk}/"]:
            response = client.get(url)
            if response.status_code != 200:
                continue
            html = IDENTIFIERS.sub(" ", response.content.decode())
            found = latin_words(html, people) if language == "zh-hans" else set(han_words(html, names | people))
            found |= set(SEED_IDS.findall(visible_text(html)))  # S1.13 and the like stay in code and tests
            if found:
                leaks[f"{user.username} {url}"] = sorted(found)
    return leaks


def test_item_16_the_main_pages_in_chinese_show_no_english_words(city, client):
    """zh-hans: each role's main pages carry no Latin-letter words but PDF, Excel, API and the like
    (and identifiers: names of people and accounts, unit codes, matter numbers)."""
    assert _walk(client, city, "zh-hans") == {}


def test_item_16_the_main_pages_in_english_show_no_chinese_but_names(city, client):
    """English: Chinese only in proper names (units, people, leader posts, the matter's own text)."""
    assert _walk(client, city, "en") == {}


# -- the rules' refusals -------------------------------------------------------------------------


def test_item_16_rules_refuse_with_codes_the_app_words_in_the_users_language(db):
    """S2.6: the lifecycle rule gives a code and its parameters; the sentence is the user's language."""
    from ducha.rules.lifecycle import Actor, Status, TransitionError, check_transition

    with translation.override("zh-hans"), pytest.raises(TransitionError) as zh:
        check_transition("close", Status.IN_PROGRESS, Actor.SUPERVISOR)
    with translation.override("en"), pytest.raises(TransitionError) as en:
        check_transition("close", Status.IN_PROGRESS, Actor.SUPERVISOR)
    assert (zh.value.code, zh.value.params) == ("transition.wrong_status", {"action": "close", "status": "in_progress"})
    assert str(zh.value) == "事项当前状态为“办理中”，不能“审核销号”。"
    assert str(en.value) == "The matter is “In progress”: “Verify and close” is not possible now."


def test_item_16_every_rule_message_is_in_the_catalogue():
    import polib

    from ducha.rules.words import MESSAGES
    from tests.test_translations import LOCALE

    po = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    translated = {e.msgid for e in po.translated_entries()}
    assert sorted(set(MESSAGES.values()) - translated) == []


# Chinese, then an English gloss in brackets: "时间节点数应在 0 到 24 之间 (0 to 24 time nodes)".
MIXED = re.compile(r"[\u4e00-\u9fff][^()（）]*\s\((?:[0-9]+ )?[a-z][a-z0-9 ,'-]+")


def _docstrings(tree):
    import ast

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                yield id(body[0].value)


def test_no_message_in_the_code_speaks_both_languages_at_once():
    """A message is one language: an English msgid translated by the catalogue, or a Chinese
    record text; "中文 (English)" strings are gone from the code (docstrings may gloss terms)."""
    import ast
    from pathlib import Path

    import ducha

    found = []
    for path in Path(ducha.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set(_docstrings(tree))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                    and MIXED.search(node.value)):
                found.append(f"{path.name}:{node.lineno}: {node.value[:60]}")
    assert not found, found
