"""Line and column decisions that the .docx and the PDF must share: where a title breaks, how
wide each table column is, which runs of text may never wrap.

Both renderers read these answers, so Word and the PDF break a title at the same place and give
a table the same columns. Widths are measured in characters of the font size in use (a CJK
character is 1, a digit ½, as in the 仿宋/宋 faces used).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Table

_NARROW = {"%": 0.85, "-": 0.34, ".": 0.28, ":": 0.28, "/": 0.28, " ": 0.25}


def text_width_em(text: str) -> float:
    """Width in characters of the font size: CJK 1, digits ½, Latin capitals ¾ (Fandol's metrics)."""
    width = 0.0
    for ch in text:
        if ord(ch) >= 0x2000:
            width += 1.0
        elif ch in _NARROW:
            width += _NARROW[ch]
        elif ch.isupper():
            width += 0.75
        else:
            width += 0.5
    return width


# ---------------------------------------------------------------- titles (§7.3.1)

_NO_LINE_START = set("，。、；：？！）》”’」』〕】…—%")
_NO_LINE_END = set("（《“‘「『〔【")
_OPENING = set("“《")
_CLOSING = set("”》")
# Words of supervision titles that should not be split across lines (no segmenter is used).
_TITLE_WORDS = (
    "重点工作", "推进情况", "进一步", "人民政府", "实施意见", "工作", "推进", "情况", "督查", "督办", "通知",
    "通报", "提醒函", "督办函", "落实", "加快", "加强", "事项", "滞后", "改造", "配合", "全市", "全省",
    "城区", "供热", "管网", "项目", "建设", "整改", "问题", "年度", "月份", "任务", "决策", "部署",
    "季度", "上半年", "下半年", "管委会", "委员会", "办公室", "督查室", "示范区", "高新区", "工区",
    "台账", "进度", "商请", "办理", "关于", "发展", "改革", "营商环境", "城市", "更新", "片区", "基础设施",
    "提升", "工程", "老旧小区", "意见", "报告", "请示", "批复", "方案", "规划", "管理", "服务", "保障",
    "中心城区", "供热管网", "督查督办", "综合管廊", "前期工作", "资金", "拨付",
)
# A number is never parted from its unit: 2026年, 8月份, 3项, 第三季度.
_UNIT_AFTER_DIGIT = set("年月日号项个份季度期批次%")
_CN_DIGITS = set("一二三四五六七八九十")


# 20 2号 characters fill the 156 mm 版心; one is kept in hand, so that a title set in the
# reader's own fonts (a .docx on a government PC) never wraps a line the layout kept whole.
TITLE_MAX_EM = 19.0


def title_lines(title: str, max_em: float = TITLE_MAX_EM) -> list[str]:
    """Break a title into lines by meaning (§7.3.1: 回行时词意完整, 排列对称, 梯形或菱形).

    Explicit newlines in ``title`` win. Otherwise the fewest lines of at most ``max_em`` 2号
    characters, chosen by cost: never a line of one or two characters,
    never a word, a number with its unit or a quotation split when it can be avoided, no
    punctuation at a line start, lines as even as possible with the upper one not shorter
    (a trapezoid); breaking before an opening quote, after a closing one or after 的 is favoured.
    """
    if "\n" in title:
        return [line.strip() for line in title.split("\n") if line.strip()]
    if text_width_em(title) <= max_em:
        return [title]
    penalties = _break_penalties(title)
    lines = max(2, -(-int(text_width_em(title) * 2) // int(max_em * 2)))
    for count in (lines, lines + 1, lines + 2):
        best = _best_breaks(title, count, max_em, penalties)
        if best is not None:
            return best
    return [title]


def _break_penalties(text: str) -> list[float]:
    """Cost of a line break before text[i], for 0 < i < len(text); index 0 is unused."""
    n = len(text)
    cost = [0.0] * (n + 1)
    for word in _TITLE_WORDS:
        start = text.find(word)
        while start != -1:
            for i in range(start + 1, start + len(word)):
                cost[i] = max(cost[i], 6.0)
            start = text.find(word, start + 1)
    depth, opened_at = 0, 0
    for i, ch in enumerate(text):
        if ch in _OPENING:
            depth, opened_at = depth + 1, i
        elif ch in _CLOSING and depth:
            depth -= 1
            inside = range(opened_at + 1, i + 1)
            if text_width_em(text[opened_at:i + 1]) <= 20:  # a quotation that fits one line stays whole
                for j in inside:
                    cost[j] += 5.0
    for i in range(1, n):
        before, after = text[i - 1], text[i]
        if after in _NO_LINE_START or before in _NO_LINE_END:
            cost[i] += 100.0
        if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
            cost[i] += 100.0
        if (before.isdigit() or before in _CN_DIGITS) and after in _UNIT_AFTER_DIGIT:
            cost[i] += 100.0
        if before == "第" and (after.isdigit() or after in _CN_DIGITS):
            cost[i] += 100.0
        if after == "的":
            cost[i] += 4.0  # 的 opening a line reads as a fragment
        if before == "的":
            cost[i] -= 1.5
        if after in _OPENING:
            cost[i] -= 3.0
        if before in _CLOSING:
            cost[i] -= 2.0
    return cost


def _best_breaks(text: str, count: int, max_em: float, penalties: Sequence[float]) -> list[str] | None:
    """The cheapest way to cut ``text`` into ``count`` lines of at most ``max_em``, or None."""
    n = len(text)
    target = text_width_em(text) / count
    widths = [0.0]
    for ch in text:
        widths.append(widths[-1] + text_width_em(ch))

    def line_cost(a: int, b: int, index: int) -> float:
        w = widths[b] - widths[a]
        if w > max_em:
            return float("inf")
        cost = 0.5 * abs(w - target)
        if w < 3:
            cost += 100.0  # never one or two characters alone on a line
        elif w < 5:
            cost += 8.0
        return cost

    # best[k][i]: cheapest cost of the first k lines ending just before text[i]; with the
    # previous break remembered to rebuild the lines and to keep the upper line not shorter.
    inf = float("inf")
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}]
    for k in range(1, count + 1):
        row: dict[int, tuple[float, int]] = {}
        ends = [n] if k == count else range(1, n)
        for i in ends:
            for j, (so_far, prev) in best[k - 1].items():
                if j >= i:
                    continue
                cost = so_far + line_cost(j, i, k) + (penalties[i] if i < n else 0.0)
                if k > 1:
                    upper = widths[j] - widths[prev]
                    lower = widths[i] - widths[j]
                    if lower > upper:
                        cost += 0.3 * (lower - upper)  # an inverted trapezoid is allowed, less liked
                if cost < row.get(i, (inf, 0))[0]:
                    row[i] = (cost, j)
        best.append(row)
    if n not in best[count] or best[count][n][0] >= 100:
        return None
    cuts, i = [], n
    for k in range(count, 0, -1):
        j = best[k][i][1]
        cuts.append((j, i))
        i = j
    return [text[a:b] for a, b in reversed(cuts)]


# ---------------------------------------------------------------- tables

# Runs that must stay on one line in a table cell: a date (2026年3月30日), a matter number
# (DB2026-0001), a figure (72.4%). A cell made of one such run sizes its column.
_UNBREAKABLE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日|[0-9A-Za-z][0-9A-Za-z.\-/:%]*")
_CELL_PADDING_MM = 2.4  # 1 mm either side and the rule, in both renderers
_PT_TO_MM = 25.4 / 72


def unbreakable_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run in ``text`` that must not wrap."""
    return [m.span() for m in _UNBREAKABLE.finditer(text)]


def _min_em(text: str) -> float:
    """The narrowest a column may be for this cell: its widest piece that no line may break
    (with half a character in hand for fonts whose digits are wider than Fandol's), at least 2.

    A piece is an unbreakable run with what clings to it: punctuation that may not open or
    close a line ("（6月30日）" is one piece). Quotation marks cling only to the text they
    enclose, as in Word; the PDF marks the break after a closing one (markup.py), which Unicode
    line breaking would otherwise forbid.
    """
    glued: set[int] = set()
    for a, b in unbreakable_runs(text):
        glued.update(range(a + 1, b))
    widest, start = 0.0, 0
    for i in range(1, len(text) + 1):
        if i < len(text) and (i in glued or text[i] in _NO_LINE_START or text[i - 1] in _NO_LINE_END):
            continue
        piece = text[start:i]
        if len(piece) > 1:
            widest = max(widest, text_width_em(piece) * 1.05 + 0.5)
        start = i
    return max(2.0, widest)


def _is_atomic(text: str) -> bool:
    text = text.strip()
    return not text or any(a == 0 and b == len(text) for a, b in unbreakable_runs(text))


def _header_min_em(text: str) -> float:
    """A header of up to four characters stays on one line (承办事项); a longer one takes two."""
    width = text_width_em(text)
    return width if width <= 4 else max(4.0, -(-width // 2))


def table_column_widths_mm(table: Table, total_mm: float) -> tuple[float, ...]:
    """Column widths in mm that add up to ``total_mm``.

    Columns of dates, numbers and figures shrink or grow to their widest entry, so a date never
    wraps ("2026年3月30/日") and a short header never breaks ("承办事/项"); the text columns
    share what is left by the table's relative weights.
    """
    n = table.column_count
    em = table.font_size_pt * _PT_TO_MM
    need = [0.0] * n
    atomic = [True] * n
    for row in table.rows:
        for c, text in enumerate(row):
            need[c] = max(need[c], _min_em(text))
            atomic[c] = atomic[c] and _is_atomic(text)
    for p in table.header_placements():
        if p.colspan == 1:
            need[p.col] = max(need[p.col], _header_min_em(p.text))
    floor = [need[c] * em + _CELL_PADDING_MM for c in range(n)]
    weights = table.relative_widths()
    fixed = {c: floor[c] for c in range(n) if atomic[c]} if not all(atomic) else {}
    while True:
        free = [c for c in range(n) if c not in fixed]
        left = total_mm - sum(fixed.values())
        share = sum(weights[c] for c in free)
        widths = {c: left * weights[c] / share for c in free} if share else {}
        short = [c for c in free if widths[c] < floor[c]]
        if not short or left <= 0:
            break
        fixed.update({c: floor[c] for c in short})
    result = [fixed.get(c, widths.get(c, 0.0)) for c in range(n)]
    if left <= 0 or any(w <= 0 for w in result):  # the floors alone overflow the 版心: scale them
        result = floor
    scale = total_mm / sum(result)  # 1 unless every column was fixed or the floors overflow
    return tuple(w * scale for w in result)


def row_lines(table: Table, widths_mm: Sequence[float]) -> list[int]:
    """About how many lines each body row takes with these column widths."""
    em = table.font_size_pt * _PT_TO_MM
    counts = []
    for row in table.rows:
        lines = 1
        for text, width in zip(row, widths_mm, strict=True):
            per_line = max(1.0, (width - _CELL_PADDING_MM) / em)
            lines = max(lines, -(-int(text_width_em(text) * 2) // int(per_line * 2)) if text else 1)
        counts.append(lines)
    return counts


# A row of four lines or more may break across pages, two lines at least on either side (the
# cells' orphans and widows): a tall first row otherwise drags the whole table to the next page.
SPLITTABLE_ROW_LINES = 4
