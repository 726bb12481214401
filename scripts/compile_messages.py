"""Compiles every ducha/locale/*/LC_MESSAGES/*.po into its .mo with polib.

The .mo files are committed, so a new installation needs no GNU gettext; a test checks
that each committed .mo still matches its .po.
"""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "ducha" / "locale"


def main() -> None:
    for po_path in sorted(LOCALE.parent.glob("**/locale/*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        untranslated = [e.msgid for e in po.untranslated_entries()]
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(LOCALE.parent)}: {len(po.translated_entries())} translated, "
              f"{len(untranslated)} untranslated")
        for msgid in untranslated:
            print(f"  untranslated: {msgid!r}")


if __name__ == "__main__":
    main()
