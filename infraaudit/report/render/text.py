"""Vietnamese text helpers of the report templates: counts as the seeds write them ("05"),
amounts in words, Roman group numbers, and the small lookups the templates need (a site's
index, a year's total). Registered as Jinja filters by ``blocks.environment``."""

import ipaddress
from collections.abc import Callable, Iterable
from itertools import groupby
from typing import Any


def vnd(amount: int) -> str:
    """1234567 -> '1.234.567' (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".")


def num(value: float | int | None) -> str:
    """A measured number, Vietnamese style: 1.842; 47,4; 0,6."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return vnd(int(value))
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def count(n: int) -> str:
    """A count in running text: two digits from 1 to 9 ("05 thiết bị"), as the seeds write."""
    return f"{n:02d}" if 0 < n < 10 else vnd(n)


def ratio(k: int, n: int) -> str:
    """"05/05", "09/11": both sides padded."""
    return f"{count(k)}/{count(n)}"


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ")


def _hundreds(n: int, full: bool) -> list[str]:
    """Words of 0 < n < 1000; ``full`` when a higher group precedes (then "không trăm", "lẻ")."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    out = [_DIGITS[h], "trăm"] if h or full else []
    if t == 0 and u:
        out += ["lẻ"] if h or full else []
    elif t == 1:
        out.append("mười")
    elif t:
        out += [_DIGITS[t], "mươi"]
    if u == 1 and t > 1:
        out.append("mốt")
    elif u == 5 and t:
        out.append("lăm")
    elif u == 4 and t > 1:
        out.append("tư")
    elif u:
        out.append(_DIGITS[u])
    return out


def in_words(amount: int) -> str:
    """An amount in Vietnamese words, capitalised: 271800000 -> "Hai trăm bảy mươi mốt triệu
    tám trăm nghìn" (the "Bằng chữ" line of a cost table)."""
    if amount == 0:
        return "Không"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g:
            words += _hundreds(g, full=bool(words))
            words.append(_GROUPS[i % 3] if i % 3 else ("tỷ" if i else ""))
        elif i and i % 3 == 0 and words:
            words.append("tỷ")
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def no_address(text: str | None, fallback: str) -> str:
    """A name that may be an IP address (a ping target without a name): addresses never reach
    the report, the fallback stands in."""
    if not text:
        return fallback
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return text
    return fallback


def fill(template: str, **values: object) -> str:
    """A wording line of report_words.yaml with its {placeholders} filled."""
    return template.format(**values)


def roman(n: int) -> str:
    """1 -> I, 4 -> IV, 12 -> XII (group rows of a table)."""
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def million(amount: int) -> str:
    """An amount in triệu đồng, as the province roll-up writes it: 271800000 -> "271,8"."""
    return num(round(amount / 1_000_000, 3))


def capfirst_words(upper: str) -> str:
    """An agency name written in capitals on the masthead, in running text: "SỞ KHOA HỌC VÀ
    CÔNG NGHỆ" -> "Sở khoa học và công nghệ" is wrong, so only names whose capitals are known
    words are rewritten (``Sở``, ``Ủy ban``, ``Khoa học và Công nghệ`` …); others keep the
    first letter capital and the rest lower case."""
    text = upper.lower()
    for proper in ("Khoa học và Công nghệ", "Thông tin và Truyền thông", "Nội vụ", "Tài chính",
                   "Tư pháp", "Ủy ban nhân dân", "Khánh Hòa"):
        text = text.replace(proper.lower(), proper)
    return capfirst(text)


def capfirst(text: str) -> str:
    """Capitalise the first letter only ("trụ sở chính" -> "Trụ sở chính"; Jinja's
    ``capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


def groupby_run(items: Iterable[Any], attribute: str) -> list[list[Any]]:
    """Consecutive items sharing ``attribute`` (order kept), e.g. the sites of one ward."""
    return [list(g) for _, g in groupby(items, key=lambda x: getattr(x, attribute))]


def site_index(name: str, sites: list[Any]) -> int:
    """The index of a site by its name in ``Section.sites`` (0 when unknown: the main site)."""
    return next((i for i, s in enumerate(sites) if s.name == name), 0)


def text_filters(words: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """The filters above, and the ones that read the labels file."""
    def year_total(year: int, totals: dict[int, int]) -> str:
        return vnd(totals[year]) if totals.get(year) else "-"

    return {
        "count": count, "ratio": ratio, "in_words": in_words, "no_address": no_address,
        "fill": fill, "roman": roman, "capfirst": capfirst, "groupby_run": groupby_run,
        "site_index": site_index, "year_total": year_total, "million": million,
        "capfirst_words": capfirst_words,
        "lower_first": lambda text: text[:1].lower() + text[1:],
        "ipv6_missing": lambda code: words["ipv6_missing"].get(code, code),
        "citations": lambda tasks, sites: citations(tasks, sites, words["appendix_items"]),
    }


def citations(tasks: Iterable[Any], sites: list[Any], items: dict[str, int]) -> str:
    """The Phụ lục I items a set of tasks rests on: "mục 1.4, 2.4" (site number, item
    number), in order; empty when none is named."""
    cited = sorted({(site_index(t.site, sites) + 1, items[e]) for t in tasks for e in t.evidence})
    return ", ".join(f"{s}.{n}" for s, n in cited)
