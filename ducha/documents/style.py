"""Page geometry, sizes and font families shared by the .docx and PDF renderers.

Numbers come from GB/T 9704-2012 §5 (A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, 22 lines of 28
characters) and §6/§7 (font sizes of each element). Keeping them in one place is what makes the
Word file and the PDF look alike.
"""

from __future__ import annotations

import os
from typing import Final

# §5.2.1 and §5.2.2: paper, margins (bottom and right follow from the 156 × 225 mm 版心).
PAGE_WIDTH_MM: Final = 210.0
PAGE_HEIGHT_MM: Final = 297.0
MARGIN_TOP_MM: Final = 37.0
MARGIN_BOTTOM_MM: Final = 35.0
MARGIN_LEFT_MM: Final = 28.0
MARGIN_RIGHT_MM: Final = 26.0
TEXT_WIDTH_MM: Final = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156

# §5.2.3: 22 lines per page, 28 characters per line → 225 mm / 22 ≈ 28.95 pt per line.
LINES_PER_PAGE: Final = 22
CHARS_PER_LINE: Final = 28
LINE_PITCH_PT: Final = 28.95
LINE_PITCH_TWIPS: Final = 579
# 28 × 16 pt = 158 mm is 2 mm wider than the 版心: templates condense 3号 text slightly.
BODY_TRACKING_PT: Final = -0.25

# Chinese 号 sizes in points (§6.1: 3号 body text; §7.3.1: 2号 title; §7.4.1: 4号 版记; §7.5: 4号 页码).
SIZE_2HAO: Final = 22.0
SIZE_3HAO: Final = 16.0
SIZE_4HAO: Final = 14.0
SIZE_XIAO4: Final = 12.0
BODY_PT: Final = SIZE_3HAO
TITLE_PT: Final = SIZE_2HAO
IMPRINT_PT: Final = SIZE_4HAO
PAGE_NUMBER_PT: Final = SIZE_4HAO

# §7.2.3 and §7.2.5: masthead and separator are red; §7.2.3: masthead top 35 mm below the 版心 top.
RED_HEX: Final = "FF0000"
MASTHEAD_OFFSET_MM: Final = 35.0
SEPARATOR_GAP_MM: Final = 4.0  # §7.2.5: separator 4 mm below the 发文字号

# §10.1 信函格式: masthead 30 mm from the page top; double rules 170 mm long, the lower one
# 20 mm above the bottom edge.
LETTER_MASTHEAD_TOP_MM: Final = 30.0
LETTER_RULE_LENGTH_MM: Final = 170.0
LETTER_BOTTOM_RULE_MM: Final = 20.0

# §7.4.1: 版记 rules, first and last thick 0.35 mm, in between thin 0.25 mm.
IMPRINT_THICK_MM: Final = 0.35
IMPRINT_THIN_MM: Final = 0.25

# §7.3.5.1: the seal is centred on the date and presses on the signature and the date, which sit
# a little below its centre; its top is less than one line below the body (or 附件说明). Room is
# kept for a seal of 45 mm, the largest a city's government or its units use (国发〔1999〕25号:
# 市、县级人民政府 4.5 cm; 内设机构或直属单位 at most 4.5 cm): its top half a line below the body,
# the signature two lines below the body, so the seal's centre is 3 mm above the line between
# signature and date, and it ends about a line below the date.
SEAL_DIAMETER_MM: Final = 45.0
SEAL_TOP_BELOW_BODY_MM: Final = LINE_PITCH_PT / 2 * 25.4 / 72
SIGNATURE_BELOW_BODY_LINES: Final = 2

# §7.5: page number's dash 7 mm below the 版心.
PAGE_NUMBER_GAP_MM: Final = 7.0

# The families government PCs have (named in the .docx so it renders natively there), and for the
# PDF each followed by free substitutes packaged in Debian (docs/decisions/0004-document-fonts.md):
# the Fandol fonts of texlive-lang-chinese (FandolFang is the one free 仿宋 with full GB2312
# coverage; FandolSong Bold stands in for 小标宋), then Noto CJK (fonts-noto-cjk) for any
# character outside GB2312 that Fandol lacks.
DOCX_FONTS: Final = {
    "fang": "仿宋_GB2312",
    "kai": "楷体_GB2312",
    "hei": "黑体",
    "xbs": "方正小标宋简体",
    "song": "宋体",
}

CSS_FONTS: Final = {
    "fang": ('"仿宋_GB2312"', '"FangSong_GB2312"', '"仿宋"', '"FangSong"', '"FandolFang"', '"Noto Serif CJK SC"'),
    "kai": ('"楷体_GB2312"', '"KaiTi_GB2312"', '"楷体"', '"KaiTi"', '"FandolKai"', '"AR PL KaitiM GB"',
            '"Noto Serif CJK SC"'),
    "hei": ('"黑体"', '"SimHei"', '"FandolHei"', '"Noto Sans CJK SC"', '"WenQuanYi Zen Hei"'),
    "xbs": ('"方正小标宋简体"', '"FZXiaoBiaoSong-B05S"', '"方正小标宋_GBK"', '"FandolSong"', '"Noto Serif CJK SC"'),
    "song": ('"宋体"', '"SimSun"', '"FandolSong"', '"Noto Serif CJK SC"'),
}

# Where texlive-lang-chinese puts the Fandol fonts. fontconfig does not look there, so the PDF
# stylesheet loads them with @font-face (family, weight, file); a font missing here is skipped.
FANDOL_DIRS: list[str] = [
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",
    "/usr/share/texmf/fonts/opentype/public/fandol",
]
FANDOL_FACES: Final = (
    ("FandolFang", 400, "FandolFang-Regular.otf"),
    ("FandolSong", 400, "FandolSong-Regular.otf"),
    ("FandolSong", 700, "FandolSong-Bold.otf"),
    ("FandolHei", 400, "FandolHei-Regular.otf"),
    ("FandolHei", 700, "FandolHei-Bold.otf"),
    ("FandolKai", 400, "FandolKai-Regular.otf"),
)

# What a server needs so the PDF has real glyphs in the right faces (checked after rendering,
# see pdf.py): Fandol for the 仿宋/宋/黑/楷 faces, Noto CJK for characters outside GB2312.
FONT_PACKAGES: Final = "texlive-lang-chinese fonts-noto-cjk"

def fandol_faces() -> list[tuple[str, int, str]]:
    """(family, weight, path) of the Fandol fonts found on disk, for the PDF's @font-face rules."""
    for folder in FANDOL_DIRS:
        found = [(family, weight, os.path.join(folder, name)) for family, weight, name in FANDOL_FACES]
        found = [face for face in found if os.path.isfile(face[2])]
        if found:
            return found
    return []


def mm_to_pt(mm: float) -> float:
    return mm * 72 / 25.4


def css_family(role: str) -> str:
    return ", ".join(CSS_FONTS[role])
