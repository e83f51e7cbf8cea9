"""A plan's text as the plan page shows it: paragraphs with their mention spans, and the
outline their section paths give."""

from __future__ import annotations

from typing import Any

from geo.corpus import PlanMeta
from layers.protocol import DocParagraph, MentionSpan, OutlineEntry, PlanDocument


def plan_document(meta: PlanMeta, paragraphs: list[Any],
                  spans: dict[int, list[MentionSpan]]) -> PlanDocument:
    """A plan's paragraphs with their mention spans, and the outline their section paths
    give (each heading once, at the line of its first paragraph)."""
    out: list[DocParagraph] = []
    outline: list[OutlineEntry] = []
    seen: set[tuple[str, ...]] = set()
    for i, p in sorted(enumerate(paragraphs), key=lambda ip: ip[1].line):
        path = tuple(p.section_path)
        for depth, title in enumerate(path):
            key = path[: depth + 1]
            if key not in seen:
                seen.add(key)
                outline.append(OutlineEntry(title, depth, p.line))
        out.append(DocParagraph(
            line=p.line, citation=p.citation, citation_en=p.citation_en, text=p.text,
            section_path=path,
            heading=bool(path) and p.text.strip() == path[-1],
            mentions=tuple(spans.get(i, ())),
        ))
    return PlanDocument(meta, tuple(out), tuple(outline))
