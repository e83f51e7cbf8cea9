"""Lead sentences: short first sentences that work as sub-headings ("搭建高能级平台体系。…").

They are found after the whole plan is read, because whether a short first sentence is a heading
depends on its siblings: one alone is ordinary prose, two or more in one container are a heading
system. The paragraph stays one paragraph; the lead section only groups it and its followers.
"""

from __future__ import annotations

from geo.reader.tree import Draft, Section

MAX_LEAD = 40  # longest first sentence read as a lead sub-heading
_TERMINAL = "。!?;:”」)…"
# Containers whose paragraphs never get lead sections (their structure is given by the source).
_FLAT = ("box", "table", "front", "back", "lead")


def _first_sentence(text: str) -> str | None:
    k = text.find("。")
    if k <= 0 or k == len(text) - 1:
        return None
    return text[:k]


def lead_title(text: str, previous: str | None) -> str | None:
    """The lead sentence of a paragraph, if its first sentence reads as a sub-heading.

    A heading is short, states an action or a field ("搭建高能级平台体系"), has at most one
    comma, and is not a statement with 是 ("文化是重要支点", which opens an introduction). A
    paragraph continuing a sentence broken across lines (002 l.414/416) has no lead.
    """
    first = _first_sentence(text)
    if first is None or len(first) > MAX_LEAD or first.count(",") > 1:
        return None
    if any(c in first for c in ";:;:") or "是" in first:
        return None
    if previous is not None and previous[-1:] not in _TERMINAL:
        return None
    return first


def add_leads(node: Section, text: str, previous_of: dict[int, str]) -> None:
    """Open lead sections where a container holds two or more lead-sentence paragraphs.

    One short first sentence alone is not a sub-heading system (001 has several such, and its notes
    say it has no sub-headings); two or more in the same container are.
    """
    for child in node.children:
        if child.kind not in _FLAT and not child.inline:
            add_leads(child, text, previous_of)
    if node.kind in _FLAT or node.inline:
        return
    titles = {
        d.line: t
        for d in node.drafts
        if (t := lead_title(text[d.start:d.end], previous_of.get(d.line))) is not None
    }
    if len(titles) < 2:
        return
    # merge paragraphs and child sections in reading order; an empty (missing) child keeps
    # its place after the child before it
    items: list[tuple[int, int, Draft | Section]] = [(d.line, 1, d) for d in node.drafts]
    key = 0
    for c in node.children:
        key = max(key, c.first_line or key)
        items.append((key, 0, c))
    items.sort(key=lambda x: (x[0], x[1]))
    keep: list[Draft] = []
    children: list[Section] = []
    lead: Section | None = None
    for _, _, item in items:
        if isinstance(item, Section):
            lead = None
            children.append(item)
            continue
        if item.line in titles:
            lead = Section(kind="lead", label="", title=titles[item.line], line=item.line,
                           inline=True)
            children.append(lead)
        if lead is not None:
            lead.drafts.append(item)
        else:
            keep.append(item)
    node.drafts = keep
    node.children = children
