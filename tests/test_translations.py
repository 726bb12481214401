"""zh-hans first: every interface string has a Chinese translation, and the committed .mo
catalogue (what Django reads) says the same as the .po source (what people edit)."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "ducha" / "locale"
CATALOGUES = sorted(LOCALE.parent.glob("**/locale/*/LC_MESSAGES/django.po"))


def test_there_is_a_chinese_catalogue():
    assert LOCALE / "zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE.parent)))
def test_every_string_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    with open(po_path.with_suffix(".mo"), "rb") as f:
        mo = gettext.GNUTranslations(f)
    def compiled(e):
        return mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)

    stale = [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled(e) != e.msgstr]
    assert stale == [], "run `make messages` to recompile the .mo file"
