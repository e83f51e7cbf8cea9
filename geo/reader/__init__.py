"""The plan reader: plan text → section tree and paragraphs with citations (docs/reader.md).

Heading levels, outermost first (a document uses a subset, in this order):
    front matter / 序言 / 第X章 → 第X节 → 一、 → (一) → 1. (or 6、) → 专栏, tables → lead sentences
A *lead sentence* is a short first sentence working as a sub-heading ("搭建高能级平台体系。…"). Its
paragraph stays one paragraph (the sentence is policy text too), but it opens a `lead` section whose
title is that sentence; the paragraphs after it, up to the next lead or heading, belong to it. Lead
sections appear in `section_path` but have no short label, so citations stay at numbered headings.
Indicator tables keep one paragraph per cell line (a line number still names one thing), in a
`table` section titled by the table's caption and labelled 表.

Modules: `numerals` (Chinese numbers), `lines` (what one line is), `tree` (Section, Paragraph,
PlanDoc), `leads` (lead-sentence sections), `builder` (read_plan, with the repairs).
"""

from geo.reader.builder import load_repairs, read_plan, read_plans
from geo.reader.lines import RESIDUE, is_residue, parse_heading, parse_marker
from geo.reader.numerals import cn_number
from geo.reader.tree import Paragraph, PlanDoc, Section, Segment

__all__ = [
    "RESIDUE",
    "Paragraph",
    "PlanDoc",
    "Section",
    "Segment",
    "cn_number",
    "is_residue",
    "load_repairs",
    "parse_heading",
    "parse_marker",
    "read_plan",
    "read_plans",
]
