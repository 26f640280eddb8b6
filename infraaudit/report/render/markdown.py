"""Blocks to GitHub-flavoured Markdown (deterministic: same report, same bytes)."""

from infraaudit.report.render.blocks import (
    Block,
    Bullet,
    Chart,
    Heading,
    Masthead,
    PageBreak,
    Para,
    Signature,
    Table,
    Title,
    nfc,
)

_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_<>[]|"})
_ALIGN = {"l": ":---", "r": "---:", "c": ":---:"}


def _md(text: str) -> str:
    return text.translate(_ESCAPE)


def _table(block: Table) -> list[str]:
    lines = []
    if block.caption:
        lines += [f"*{_md(block.caption)}*", ""]
    lines.append("| " + " | ".join(_md(h) for h in block.header) + " |")
    lines.append("|" + "|".join(_ALIGN[block.alignment(i)] for i in range(len(block.header)))
                 + "|")
    for n, row in enumerate(block.rows):
        bold = block.total and n == len(block.rows) - 1
        cells = [f"**{_md(c)}**" if bold and c else _md(c) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _block(block: Block) -> list[str]:
    match block:
        case Masthead():
            mark = [f"**{_md(block.draft)}**", ""] if block.draft else []
            return [*mark, f"**{_md(block.parent_org)}**  ", f"**{_md(block.agency)}**  ",
                    _md(block.number), "", f"**{_md(block.nation)}**  ",
                    f"**{_md(block.motto)}**  ", f"*{_md(block.place_date)}*"]
        case Title():
            lines = [f"# {_md(block.text)}"]
            return [*lines, "", f"**{_md(block.subtitle)}**"] if block.subtitle else lines
        case Heading():
            return [f"{'#' * (block.level + 1)} {_md(block.text)}"]
        case Para():
            text = _md(block.text)
            if block.bold:
                text = f"**{text}**"
            if block.italic:
                text = f"*{text}*"
            return [text]
        case Bullet():
            indent = "  " * (block.level - 1)
            lead = f"{_md(block.lead)} " if block.lead else ""
            if block.lead and block.lead_bold:
                lead = f"**{lead[:-1]}** "
            return [f"{indent}- {lead}{_md(block.text)}"]
        case Table():
            return _table(block)
        case PageBreak():
            return ["---"]
        case Signature():
            lines = [f"***{_md(block.label)}***", ""]
            lines += [f"- {_md(r)}" for r in block.recipients]
            lines += ["", *(f"**{_md(t)}**  " for t in block.signer_title)]
            return [*lines, "", f"**{_md(block.signer_name)}**"]
        case Chart():
            return []
    raise TypeError(block)  # pragma: no cover


def write_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    previous_bullet = False
    for block in blocks:
        lines = _block(block)
        if not lines:
            continue
        is_bullet = isinstance(block, Bullet)
        if out and not (is_bullet and previous_bullet):
            out.append("")
        out += lines
        previous_bullet = is_bullet
    return nfc("\n".join(out) + "\n")
