"""The gazetteer's words, in both languages: kinds of place and how exactly a place is known.

This is the one home for these labels. The loader validates against the keys; the CLI, the
pages, the atlas script, the figures and the exports all show the labels from here, so a park is
called the same thing on the map, in the figure legend and in the downloaded file.
"""

from __future__ import annotations

LANGS = ("zh", "en")

# kind -> label per language
KIND_LABELS: dict[str, dict[str, str]] = {
    "district": {"zh": "区", "en": "district"},
    "subdistrict": {"zh": "街道", "en": "subdistrict"},
    "town": {"zh": "镇", "en": "town"},
    "village": {"zh": "村", "en": "village"},
    "park": {"zh": "公园与遗址", "en": "park or heritage site"},
    "water": {"zh": "河湖水系", "en": "river or lake"},
    "road": {"zh": "道路", "en": "road"},
    "rail": {"zh": "铁路与轨道交通", "en": "railway or metro"},
    "industrial-park": {"zh": "产业园区", "en": "industrial park"},
    "zone": {"zh": "科学城与功能区", "en": "zone"},
    "corridor": {"zh": "廊道与轴带", "en": "corridor or axis"},
    "innovation-node": {"zh": "创新节点", "en": "innovation node"},
    "institution": {"zh": "高校院所与机构", "en": "institution"},
    "site": {"zh": "项目与建筑", "en": "project or building"},
    "region": {"zh": "区外地区", "en": "region"},
    "mountain": {"zh": "山", "en": "mountain"},
    "other": {"zh": "其他地区", "en": "other area"},
}

# precision -> short label per language, and the definition a data user reads
PRECISION_LABELS: dict[str, dict[str, str]] = {
    "surveyed": {"zh": "实测边界", "en": "surveyed"},
    "approximate": {"zh": "近似位置", "en": "approximate"},
    "schematic": {"zh": "示意范围", "en": "schematic"},
    "area-only": {"zh": "仅知所在区域", "en": "area only"},
    "unlocated": {"zh": "未定位", "en": "unlocated"},
}
PRECISION_DEFINITIONS: dict[str, str] = {
    "surveyed": "from an authoritative boundary",
    "approximate": "built by hand from known points; expected error under about 300 m",
    "schematic": "shape and extent indicative only",
    "area-only": "the text gives no location inside a larger area; drawn as that area",
    "unlocated": "cannot be located; no geometry",
}

KINDS: tuple[str, ...] = tuple(KIND_LABELS)
PRECISIONS: tuple[str, ...] = tuple(PRECISION_LABELS)


def kind_label(kind: object, lang: str) -> str:
    """The kind as a reader sees it; an unknown kind is shown as written."""
    return KIND_LABELS.get(str(kind), {}).get(lang, str(kind or ""))


def precision_label(precision: object, lang: str) -> str:
    return PRECISION_LABELS.get(str(precision), {}).get(lang, str(precision or ""))
