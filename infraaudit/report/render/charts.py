"""Inline SVG charts of one site's measurements, as shapes the HTML template draws.

Geometry only: the text drawn is device names from the data and labels from
``report_templates/report_words.yaml`` (``chart``). The template escapes everything.
"""

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from infraaudit.models.report import SiteFacts

COLORS = {
    "up": "#2e7d32", "errors": "#c62828", "free": "#b0bec5", "other": "#78909c",
    "flapping": "#ef6c00", "downgraded": "#6a1b9a", "ipv6": "#1565c0",
    "router": "#1565c0", "firewall": "#4527a0", "switch": "#2e7d32", "ap": "#ef6c00",
    "node": "#546e7a", "axis": "#607d8b", "text": "#212121", "edge": "#455a64",
}
LABEL_W = 150
BAR_W = 400
ROW_H = 24
FONT = 12


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str = ""
    rx: float = 0


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    size: int = FONT
    bold: bool = False
    fill: str = COLORS["text"]


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = COLORS["axis"]
    width: float = 1


@dataclass
class Svg:
    kind: str
    title: str
    width: float
    height: float
    description: str = ""
    shapes: list[Rect | Text | Line] = field(default_factory=list)

    def shape_kind(self, shape: Rect | Text | Line) -> str:
        return type(shape).__name__.lower()


def _legend(svg: Svg, y: float, items: list[tuple[str, str]]) -> None:
    x = LABEL_W
    for label, color in items:
        svg.shapes.append(Rect(x, y - 10, 12, 12, color))
        svg.shapes.append(Text(x + 16, y, label))
        x += 24 + 7 * len(label)


def ports_chart(site: SiteFacts, words: dict[str, Any]) -> Svg:
    """Stacked bars per switch: up and healthy, up with errors, free, other down ports."""
    w = words["chart"]
    scale = BAR_W / max([p.ports for p in site.ports] + [1])
    svg = Svg("ports", w["ports_title"], LABEL_W + BAR_W + 60, 40 + ROW_H * len(site.ports) + 40)
    svg.shapes.append(Text(0, 16, w["ports_title"], bold=True))
    for i, p in enumerate(site.ports):
        y = 30 + i * ROW_H
        errors = min(p.with_errors, p.up)
        parts = [(max(p.up - errors, 0), "up", w["ports_up"]),
                 (errors, "errors", w["ports_errors"]),
                 (p.free, "free", w["ports_free"]),
                 (max(p.ports - p.up - p.free, 0), "other", w["ports_other"])]
        svg.shapes.append(Text(LABEL_W - 6, y + 14, p.device, anchor="end"))
        x = float(LABEL_W)
        for count, key, label in parts:
            if count:
                svg.shapes.append(Rect(x, y + 2, count * scale, ROW_H - 6, COLORS[key],
                                       title=f"{p.device}: {label} {count}"))
                x += count * scale
        svg.shapes.append(Text(x + 4, y + 14, str(p.ports)))
    _legend(svg, svg.height - 10, [(w["ports_up"], COLORS["up"]),
                                   (w["ports_errors"], COLORS["errors"]),
                                   (w["ports_free"], COLORS["free"]),
                                   (w["ports_other"], COLORS["other"])])
    return svg


def errors_chart(site: SiteFacts, words: dict[str, Any]) -> Svg:
    """Per switch: ports with errors, flapping, below their speed (grouped bars)."""
    w = words["chart"]
    keys = [("with_errors", "errors", w["errors_with_errors"]),
            ("flapping", "flapping", w["errors_flapping"]),
            ("downgraded", "downgraded", w["errors_downgraded"])]
    peak = max([getattr(p, k) for p in site.ports for k, _, _ in keys] + [1])
    scale = BAR_W / peak
    row = 3 * 8 + 8
    svg = Svg("errors", w["errors_title"], LABEL_W + BAR_W + 60, 40 + row * len(site.ports) + 40)
    svg.shapes.append(Text(0, 16, w["errors_title"], bold=True))
    for i, p in enumerate(site.ports):
        y = 30 + i * row
        svg.shapes.append(Text(LABEL_W - 6, y + 16, p.device, anchor="end"))
        for j, (attr, color, label) in enumerate(keys):
            value = int(getattr(p, attr))
            by = y + j * 8
            svg.shapes.append(Rect(LABEL_W, by, max(value * scale, 1), 7, COLORS[color],
                                   title=f"{p.device}: {label} {value}"))
            svg.shapes.append(Text(LABEL_W + value * scale + 4, by + 7, str(value), size=9))
    _legend(svg, svg.height - 10, [(label, COLORS[color]) for _, color, label in keys])
    return svg


def ipv6_chart(site: SiteFacts, words: dict[str, Any]) -> Svg:
    """IPv6 readiness score (1..5) per device, with a 1..5 axis."""
    w = words["chart"]
    devices = sorted(site.ipv6_scores.items())
    scale = BAR_W / 5
    svg = Svg("ipv6", w["ipv6_title"], LABEL_W + BAR_W + 40, 40 + ROW_H * len(devices) + 30)
    svg.shapes.append(Text(0, 16, w["ipv6_title"], bold=True))
    bottom = 30 + ROW_H * len(devices)
    for tick in range(1, 6):
        x = LABEL_W + tick * scale
        svg.shapes.append(Line(x, 26, x, bottom, stroke="#cfd8dc"))
        svg.shapes.append(Text(x, bottom + 14, str(tick), anchor="middle", size=10))
    for i, (device, score) in enumerate(devices):
        y = 30 + i * ROW_H
        svg.shapes.append(Text(LABEL_W - 6, y + 14, device, anchor="end"))
        svg.shapes.append(Rect(LABEL_W, y + 3, score * scale, ROW_H - 8, COLORS["ipv6"],
                               title=f"{device}: {score}/5"))
    svg.shapes.append(Line(LABEL_W, 26, LABEL_W, bottom))
    return svg


_TOP = {"router", "firewall"}


def _rows(site: SiteFacts) -> list[list[str]]:
    """Routers/firewalls on top, switches in the middle (one row per hop from the top), the
    rest at the bottom."""
    roles = dict(site.topology_nodes)
    for e in site.topology:
        roles.setdefault(e.a, "other")
        roles.setdefault(e.b, "other")
    neighbours: dict[str, set[str]] = {n: set() for n in roles}
    for e in site.topology:
        neighbours[e.a].add(e.b)
        neighbours[e.b].add(e.a)
    top = sorted(n for n, r in roles.items() if r in _TOP)
    depth: dict[str, int] = {}
    queue = deque(top)
    for n in top:
        depth[n] = 0
    while queue:
        n = queue.popleft()
        for m in sorted(neighbours[n]):
            if m not in depth and roles[m] == "switch":
                depth[m] = depth[n] + 1
                queue.append(m)
    switches = [n for n, r in roles.items() if r == "switch"]
    deepest = max([depth.get(s, 1) for s in switches] + [1])
    switch_rows: list[list[str]] = [[] for _ in range(deepest)]
    for s in sorted(switches):
        switch_rows[depth.get(s, deepest) - 1].append(s)
    rest = sorted(n for n, r in roles.items() if r not in _TOP and r != "switch")
    return [r for r in [top, *switch_rows, rest] if r]


def topology_chart(site: SiteFacts, words: dict[str, Any]) -> Svg:
    """LLDP/CDP neighbours drawn in layers."""
    w = words["chart"]
    rows = _rows(site)
    node_w, node_h, gap_x, gap_y = 130, 30, 30, 70
    width = max(len(r) for r in rows) * (node_w + gap_x) + gap_x
    svg = Svg("topology", w["topology_title"], width, 40 + len(rows) * (node_h + gap_y),
              description=w["topology_layers"])
    svg.shapes.append(Text(0, 16, w["topology_title"], bold=True))
    centre: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(rows):
        offset = (width - len(row) * (node_w + gap_x) + gap_x) / 2
        for j, node in enumerate(row):
            centre[node] = (offset + j * (node_w + gap_x) + node_w / 2,
                            40 + i * (node_h + gap_y) + node_h / 2)
    for e in site.topology:
        (x1, y1), (x2, y2) = centre[e.a], centre[e.b]
        svg.shapes.append(Line(x1, y1, x2, y2, stroke=COLORS["edge"], width=1.5))
        for port, (px, py) in ((e.a_port, (x1 + (x2 - x1) * 0.3, y1 + (y2 - y1) * 0.3)),
                               (e.b_port, (x1 + (x2 - x1) * 0.7, y1 + (y2 - y1) * 0.7))):
            if port:
                svg.shapes.append(Text(px + 3, py, port, size=9, fill=COLORS["edge"]))
    roles = site.topology_nodes
    for node, (x, y) in centre.items():
        role = roles.get(node, "other")
        svg.shapes.append(Rect(x - node_w / 2, y - node_h / 2, node_w, node_h,
                               COLORS.get(role, COLORS["node"]), rx=5,
                               title=f"{node}: {words['roles'].get(role, role)}"))
        svg.shapes.append(Text(x, y + 4, node, anchor="middle", fill="#ffffff"))
    return svg


def site_chart(kind: str, site: SiteFacts, words: dict[str, Any]) -> Svg:
    builders = {"ports": ports_chart, "errors": errors_chart, "ipv6": ipv6_chart,
                "topology": topology_chart}
    return builders[kind](site, words)
