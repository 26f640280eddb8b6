"""The pictures of Phụ lục I, drawn once with matplotlib: PNG for the DOCX, SVG for the HTML.

Per site: the port health of each switch (ports in use, free, down, with the ports that have
errors, flap or run below their speed marked under each bar), the IPv6 readiness score of each
device (1–5) and the LLDP/CDP topology of the site's named devices. Every word drawn is a device
name from the data or a label of ``report_templates/report_words.yaml`` (``chart``, ``roles``);
an address-like name is drawn as ``chart.unnamed``.

matplotlib is imported inside the functions (Agg, no pyplot state), so commands that render no
picture never pay for it. The figures are sized in millimetres and inserted at that size, so
their type prints at its point size (9 pt, 8 pt at least); the output is deterministic (no
date or software in the PNG, a fixed SVG hash salt).
"""

import io
import ipaddress
import re
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from infraaudit.models.report import SiteFacts
from infraaudit.report.render.blocks import Block, Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_MM = 160.0  # fits the portrait text width (165 mm) and the landscape appendix
MAX_HEIGHT_MM = 140.0  # a landscape page holds 170 mm of text
FONT_PT = 9.0
SMALL_PT = 8.0  # the smallest type drawn (port names, legends)
DPI = 200
MM = 1 / 25.4
COLORS = {
    "up": "#2e7d32", "free": "#b0bec5", "other": "#78909c",
    "errors": "#c62828", "flapping": "#ef6c00", "downgraded": "#6a1b9a",
    "ipv6": "#1565c0", "target": "#c62828", "edge": "#455a64", "text": "#212121",
    "router": "#1565c0", "firewall": "#4527a0", "switch": "#2e7d32", "ap": "#ef6c00",
    "server": "#5d4037", "node": "#546e7a",
}
KINDS = ("ports", "ipv6", "topology")
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_XMLNS = re.compile(r'\s+xmlns(:xlink)?="[^"]*"')


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    with matplotlib.rc_context({
        "font.family": "DejaVu Sans", "font.size": FONT_PT, "axes.titlesize": FONT_PT,
        "axes.labelsize": FONT_PT, "xtick.labelsize": SMALL_PT, "ytick.labelsize": FONT_PT,
        "legend.fontsize": SMALL_PT, "svg.fonttype": "none", "svg.hashsalt": "infraaudit",
        "axes.spines.top": False, "axes.spines.right": False, "text.color": COLORS["text"],
    }):
        yield


def _figure(height_mm: float) -> "Figure":
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_MM * MM, min(height_mm, MAX_HEIGHT_MM) * MM), dpi=DPI,
                  layout="constrained")


def label(name: str, words: dict[str, Any]) -> str:
    """A device name as drawn: an IP address never is (the report goes to several recipients)."""
    try:
        ipaddress.ip_address(name.split("%", maxsplit=1)[0])
    except ValueError:
        return name
    return str(words["chart"]["unnamed"])


def _legend(fig: "Figure", handles: list[Any], columns: int) -> None:
    fig.legend(handles=handles, loc="outside lower center", ncols=columns, frameon=False,
               handlelength=1.2, columnspacing=1.2)


def _ports(site: SiteFacts, words: dict[str, Any]) -> "Figure":
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    w = words["chart"]
    rows = list(reversed(site.ports))  # first switch on top
    fig = _figure(26 + 13 * len(rows))
    ax = fig.add_subplot()
    peak = max([p.ports for p in rows] + [1])
    for y, p in enumerate(rows):
        parts = [(p.up, "up"), (p.free, "free"), (max(p.ports - p.up - p.free, 0), "other")]
        left = 0
        for count, key in parts:
            if count:
                ax.barh(y + 0.12, count, left=left, height=0.5, color=COLORS[key])
                if count >= peak * 0.06:
                    ax.text(left + count / 2, y + 0.12, str(count), ha="center", va="center",
                            color="white" if key != "free" else COLORS["text"])
                left += count
        ax.text(p.ports + peak * 0.01, y + 0.12, w["ports_total"].format(n=p.ports),
                va="center", fontsize=SMALL_PT)
        marks = [(p.with_errors, "errors"), (p.flapping, "flapping"),
                 (p.downgraded, "downgraded")]
        left = 0
        for count, key in marks:
            if count:
                ax.barh(y - 0.3, count, left=left, height=0.22, color=COLORS[key])
                left += count
        if left:
            text = "; ".join(f"{w['marks_' + key].lower()}: {count}" for count, key in marks
                             if count)
            ax.text(left + peak * 0.01, y - 0.3, text, va="center", fontsize=SMALL_PT,
                    color=COLORS["errors"])
    ax.set_yticks(range(len(rows)), [label(p.device, words) for p in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, peak * 1.3)
    ax.set_xlabel(w["ports_axis"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    keys = [("up", "ports_up"), ("free", "ports_free"), ("other", "ports_other"),
            ("errors", "marks_errors"), ("flapping", "marks_flapping"),
            ("downgraded", "marks_downgraded")]
    _legend(fig, [Patch(color=COLORS[k], label=w[t]) for k, t in keys], 3)
    return fig


def _ipv6(site: SiteFacts, words: dict[str, Any]) -> "Figure":
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    w = words["chart"]
    devices = sorted(site.ipv6_scores.items(), reverse=True)  # alphabetical from the top
    fig = _figure(24 + 8 * len(devices))
    ax = fig.add_subplot()
    ax.barh(range(len(devices)), [s for _, s in devices], height=0.6, color=COLORS["ipv6"])
    for y, (_, score) in enumerate(devices):
        ax.text(score + 0.05, y, f"{score}/5", va="center")
    ax.axvline(4, color=COLORS["target"], linestyle="--", linewidth=1)
    ax.set_yticks(range(len(devices)), [label(d, words) for d, _ in devices])
    ax.set_xlim(0, 5.4)
    ax.set_xticks(range(1, 6))
    ax.set_xlabel(w["ipv6_axis"])
    ax.grid(axis="x", color="#cfd8dc", linewidth=0.5)
    ax.set_axisbelow(True)
    _legend(fig, [Patch(color=COLORS["ipv6"], label=w["ipv6_score"]),
                  Line2D([], [], color=COLORS["target"], linestyle="--", label=w["ipv6_target"])],
            2)
    return fig


_TOP = {"router", "firewall"}


def _natural(name: str) -> list[Any]:
    """sw-2 before sw-10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def layers(site: SiteFacts) -> list[list[str]]:
    """Routers and firewalls on top, switches below them (one row per hop from the top), the
    rest at the bottom."""
    roles = dict(site.topology_nodes)
    for e in site.topology:
        roles.setdefault(e.a, "other")
        roles.setdefault(e.b, "other")
    neighbours: dict[str, set[str]] = {n: set() for n in roles}
    for e in site.topology:
        neighbours[e.a].add(e.b)
        neighbours[e.b].add(e.a)
    top = sorted((n for n, r in roles.items() if r in _TOP), key=_natural)
    depth = dict.fromkeys(top, 0)
    queue = deque(top)
    while queue:
        n = queue.popleft()
        for m in sorted(neighbours[n], key=_natural):
            if m not in depth and roles[m] == "switch":
                depth[m] = depth[n] + 1
                queue.append(m)
    switches = sorted((n for n, r in roles.items() if r == "switch"), key=_natural)
    deepest = max([depth.get(s, 1) for s in switches] + [1])
    switch_rows: list[list[str]] = [[] for _ in range(deepest)]
    for s in switches:
        switch_rows[depth.get(s, deepest) - 1].append(s)
    rest = sorted((n for n, r in roles.items() if r not in _TOP and r != "switch"),
                  key=_natural)
    return [r for r in [top, *switch_rows, rest] if r]


def _wrap(rows: list[list[str]], per_row: int) -> list[list[str]]:
    return [row[i:i + per_row] for row in rows for i in range(0, len(row), per_row)]


def _topology(site: SiteFacts, words: dict[str, Any]) -> "Figure":
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch, Patch

    node_w, node_h, gap_y = 36.0, 9.0, 16.0  # millimetres
    rows = _wrap(layers(site), int(WIDTH_MM // (node_w + 4)))
    height = len(rows) * (node_h + gap_y) + 4
    fig = _figure(height + 8)
    ax = fig.add_subplot()
    _draw_axes_mm(ax, height)
    centre: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(rows):
        step = WIDTH_MM / len(row)
        for j, node in enumerate(row):
            centre[node] = (step * (j + 0.5), height - 2 - node_h / 2 - i * (node_h + gap_y))
    degree = Counter(n for e in site.topology for n in (e.a, e.b))

    def at(node: str) -> float:  # where a port name sits: further out from a busy node
        return 0.22 if degree[node] <= 3 else 0.45

    for e in site.topology:
        (x1, y1), (x2, y2) = centre[e.a], centre[e.b]
        ax.plot([x1, x2], [y1, y2], color=COLORS["edge"], linewidth=1.2, zorder=1)
        for port, t in ((e.a_port, at(e.a)), (e.b_port, 1 - at(e.b))):
            if port:
                ax.text(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, port, fontsize=SMALL_PT,
                        ha="center", va="center", color=COLORS["edge"], zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    roles = dict(site.topology_nodes)
    for node, (x, y) in centre.items():
        color = COLORS.get(roles.get(node, "other"), COLORS["node"])
        ax.add_patch(FancyBboxPatch((x - node_w / 2, y - node_h / 2), node_w, node_h,
                                    boxstyle="round,pad=0,rounding_size=1.5", fc=color,
                                    ec="none", zorder=2))
        ax.text(x, y, label(node, words), ha="center", va="center", color="white", zorder=4,
                fontsize=FONT_PT if len(node) <= 18 else SMALL_PT)
    order = ["router", "firewall", "switch", "ap", "server"]
    present = sorted({roles.get(n, "other") for n in centre},
                     key=lambda r: (order.index(r) if r in order else len(order), r))
    handles: list[Any] = [Patch(color=COLORS.get(r, COLORS["node"]),
                                label=str(words["roles"].get(r, r)).capitalize())
                          for r in present]
    if site.topology:
        handles.append(Line2D([], [], color=COLORS["edge"], label=words["chart"]["topology_link"]))
    _legend(fig, handles, min(len(handles), 4))
    return fig


def _draw_axes_mm(ax: "Axes", height: float) -> None:
    ax.set_xlim(0, WIDTH_MM)
    ax.set_ylim(0, height)
    ax.set_axis_off()


_BUILDERS = {"ports": _ports, "ipv6": _ipv6, "topology": _topology}


def has_picture(kind: str, site: SiteFacts) -> bool:
    """Whether a site has anything to draw for ``kind``."""
    if kind == "ports":
        return bool(site.ports)
    if kind == "ipv6":
        return bool(site.ipv6_scores)
    return bool(site.topology)


def figure_size_mm(kind: str, site: SiteFacts, words: dict[str, Any]) -> tuple[float, float]:
    with _style():
        fig = _BUILDERS[kind](site, words)
        width, height = fig.get_size_inches()
    return float(width) / MM, float(height) / MM


def png(kind: str, site: SiteFacts, words: dict[str, Any]) -> bytes:
    """The picture as PNG bytes (same facts, same bytes)."""
    with _style():
        fig = _BUILDERS[kind](site, words)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def svg(kind: str, site: SiteFacts, words: dict[str, Any]) -> str:
    """The picture as an inline ``<svg>`` element (no XML prolog), sized in points."""
    with _style():
        fig = _BUILDERS[kind](site, words)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    text = text[text.index("<svg"):]
    # inline in HTML: no namespace declarations (the HTML parser knows svg and xlink:href) and
    # no RDF metadata, so the page names no URL at all
    text = _METADATA.sub("", text, count=1)
    return _XMLNS.sub("", text)


def _charts(sites: list[SiteFacts], blocks: list[Block]
            ) -> Iterator[tuple[int, Chart, SiteFacts]]:
    by_id = {s.site_id: s for s in sites}
    for i, block in enumerate(blocks):
        if isinstance(block, Chart) and block.site_id in by_id \
                and has_picture(block.chart, by_id[block.site_id]):
            yield i, block, by_id[block.site_id]


def png_pictures(sites: list[SiteFacts], blocks: list[Block],
                 words: dict[str, Any]) -> dict[int, bytes]:
    """PNG bytes of each chart block that has something to draw, by block index."""
    return {i: png(block.chart, site, words) for i, block, site in _charts(sites, blocks)}


def svg_pictures(sites: list[SiteFacts], blocks: list[Block],
                 words: dict[str, Any]) -> dict[int, str]:
    """Inline SVG of each chart block that has something to draw, by block index."""
    return {i: svg(block.chart, site, words) for i, block, site in _charts(sites, blocks)}
