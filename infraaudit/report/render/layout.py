"""Text widths in Times New Roman, for laying out the DOCX and HTML frame: which masthead line
fits on one line, how long the short rules under the issuing body and the Tiêu ngữ are, and
how wide each table column must be so that no word breaks inside it.

Widths are estimated per character from the metrics of Times New Roman (as its metric twin
Liberation Serif measures them), a little on the wide side so that what is said to fit fits.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

PT_MM = 25.4 / 72
TABLE_PT = 12  # the DOCX's table type
MASTHEAD_PT, AGENCY_PT, MOTTO_PT = 12, 13, 14  # NĐ 30/2020: 12–13, 12–13 bold, 13–14 bold
A4_TEXT_MM = 210 - 30 - 15  # portrait text width in the margins of NĐ 30/2020
CELL_PAD_MM = 2 * 1.9 + 0.6  # Word's default cell margins (0.19 cm a side) and a little air
# em widths: capitals (Vietnamese capitals with their marks measure the same), small letters,
# digits, spaces, narrow punctuation
_EM = {"upper": 0.72, "lower": 0.47, "lower_bold": 0.51, "digit": 0.5, "space": 0.25,
       "narrow": 0.34}


def text_mm(text: str, pt: float, bold: bool = False) -> float:
    """The printed width of ``text`` at ``pt`` points (estimate, rounded up)."""
    em = 0.0
    for c in text:
        if c.isspace():
            em += _EM["space"]
        elif c.isdigit():
            em += _EM["digit"]
        elif c.isupper():
            em += _EM["upper"]
        elif c.isalpha() or c in "%&@":
            em += _EM["lower_bold" if bold else "lower"]
        else:
            em += _EM["narrow"]
    return em * pt * PT_MM


def split_lines(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` on one line if it fits, else on two lines of the most even lengths (split
    between words), else as is (the writer wraps it)."""
    if fits(text):
        return [text]
    words = text.split()
    best: list[str] | None = None
    for i in range(1, len(words)):
        lines = [" ".join(words[:i]), " ".join(words[i:])]
        if all(fits(line) for line in lines) and (
                best is None or max(map(len, lines)) < max(map(len, best))):
            best = lines
    return best or [text]


@dataclass(frozen=True)
class MastheadLayout:
    left: float  # fraction of the width for the issuing body's column
    left_mm: float  # room inside each column
    right_mm: float
    parent: list[str]  # the parent body's lines
    agency_pt: float  # the issuing body's size: one line where it fits
    agency_rule_mm: float  # the rule under the issuing body: 40% of its line
    motto_rule_mm: float  # the rule under the Tiêu ngữ: as long as it


def masthead_layout(parent: str, agency: str, nation: str, motto: str,
                    width_mm: float = A4_TEXT_MM) -> MastheadLayout:
    """The masthead's two columns: the right one holds the Quốc hiệu on one line, the left
    one the rest; the parent body on one line or two even ones; the issuing body at 13 pt,
    12 pt if only that keeps it on one line."""
    right = text_mm(nation, MASTHEAD_PT, bold=True) + CELL_PAD_MM
    left = min(max(1 - right / width_mm, 0.38), 0.5)
    area = width_mm * left - CELL_PAD_MM
    right_area = width_mm * (1 - left) - CELL_PAD_MM
    agency_pt = next((pt for pt in (AGENCY_PT, MASTHEAD_PT)
                      if text_mm(agency, pt, bold=True) <= area), MASTHEAD_PT)
    return MastheadLayout(
        left=left, left_mm=area, right_mm=right_area,
        parent=split_lines(parent, lambda s: text_mm(s, MASTHEAD_PT) <= area),
        agency_pt=agency_pt,
        agency_rule_mm=min(text_mm(agency, agency_pt, bold=True), area) * 0.4,
        motto_rule_mm=min(text_mm(motto, MOTTO_PT, bold=True), right_area))


def _longest_word_mm(cells: Sequence[str], pt: float, bold: bool) -> float:
    return max((text_mm(w, pt, bold) for c in cells for w in c.split()), default=0.0)


def column_fractions(columns: Sequence[Sequence[str]], width_mm: float, pt: float,
                     weights: Sequence[float] = ()) -> list[float]:
    """Column widths (fractions of ``width_mm``) for a table whose first row is its header:
    ``weights`` (the template's relative widths), each column widened to hold its longest
    header word (bold) and its longest cell word (up to a third of the table), the width
    taken from the columns that have room to spare."""
    need = [max(_longest_word_mm(col[:1], pt, True),
                min(_longest_word_mm(col[1:], pt, False), width_mm / 3)) + CELL_PAD_MM
            for col in columns]
    if sum(need) >= width_mm:
        return [n / sum(need) for n in need]
    base = [float(w) for w in weights] if len(weights) == len(columns) and sum(weights) > 0 \
        else [1.0] * len(columns)
    fixed: dict[int, float] = {}
    while True:
        free = width_mm - sum(fixed.values())
        loose = [i for i in range(len(columns)) if i not in fixed]
        total = sum(base[i] for i in loose)
        sizes = {i: free * base[i] / total for i in loose}
        short = [i for i in loose if sizes[i] < need[i]]
        if not short:
            break
        for i in short:
            fixed[i] = need[i]
    sizes.update(fixed)
    return [sizes[i] / width_mm for i in range(len(columns))]


def content_fractions(columns: Sequence[Sequence[str]], width: int, size: float = TABLE_PT
                      ) -> list[float]:
    """Tables without template widths (EMU ``width``): every column at least as wide as its
    longest word (numbers never break), the rest of the width shared by how much longer the
    cells are."""
    capacity = width / 36000 / 2.1 * TABLE_PT / size  # EMU -> mm -> characters of Times
    need = [max(len(w) for c in col for w in c.split() or [""]) + 3 for col in columns]
    want = [max(n, min(max(len(c) for c in col[1:] or [""]), 40) + 2)
            for n, col in zip(need, columns, strict=True)]
    spare = capacity - sum(need)
    extra = sum(w - n for w, n in zip(want, need, strict=True))
    if spare <= 0 or extra == 0:
        sizes = [float(n) for n in need]
    else:
        share = min(spare / extra, 1.0)
        sizes = [n + (w - n) * share for w, n in zip(want, need, strict=True)]
    return [size / sum(sizes) for size in sizes]
