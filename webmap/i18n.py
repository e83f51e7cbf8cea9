"""The UI's words in Chinese (default) and English, and how a request picks one.

Data text (names, passages, citations) is shown as written; only the interface is translated.
`?lang=` wins over Accept-Language so that a shared link shows the language it was shared in.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.datastructures import LanguageAccept

from geo import vocabulary
from geo.errors import BadRequest

LANGS = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "site": {"zh": "海淀规划地图", "en": "Haidian planning atlas"},
    "atlas": {"zh": "地图", "en": "Atlas"},
    "plans": {"zh": "规划文件", "en": "Plans"},
    "layers": {"zh": "图层", "en": "Layers"},
    "places": {"zh": "地点", "en": "Places"},
    "search": {"zh": "搜索地名、拼音或英文…", "en": "Search: name, pinyin, English"},
    "no_results": {"zh": "没有找到", "en": "No match"},
    "legend": {"zh": "图例", "en": "Legend"},
    "basemaps": {"zh": "底图", "en": "Basemaps"},
    "kind": {"zh": "类型", "en": "Kind"},
    "precision": {"zh": "定位精度", "en": "Precision"},
    "source": {"zh": "坐标来源", "en": "Coordinate source"},
    "note": {"zh": "说明", "en": "Note"},
    "passages": {"zh": "规划原文", "en": "Policy passages"},
    "no_passages": {"zh": "规划中没有提及", "en": "Not named in the plans"},
    "more": {"zh": "详情", "en": "Details"},
    "downloads": {"zh": "下载", "en": "Downloads"},
    "related": {"zh": "相关地点", "en": "Related places"},
    "parent": {"zh": "上级", "en": "Part of"},
    "children": {"zh": "下级", "en": "Contains"},
    "same_layer": {"zh": "同一图层", "en": "Same layer"},
    "outline": {"zh": "目录", "en": "Outline"},
    "text": {"zh": "全文", "en": "Text"},
    "places_named": {"zh": "文件提及的地点", "en": "Places the plan names"},
    "features": {"zh": "要素", "en": "Features"},
    "name": {"zh": "名称", "en": "Name"},
    "mentions": {"zh": "提及次数", "en": "Mentions"},
    "years": {"zh": "年份", "en": "Years"},
    "description": {"zh": "说明", "en": "Description"},
    "format": {"zh": "格式", "en": "Format"},
    "not_found": {"zh": "未找到", "en": "Not found"},
    "bad_request": {"zh": "请求有误", "en": "Bad request"},
    "error": {"zh": "出错了", "en": "Something went wrong"},
    "back": {"zh": "返回地图", "en": "Back to the atlas"},
    "unlocated": {"zh": "尚未定位，地图上不显示", "en": "Not located; not drawn on maps"},
    "issued": {"zh": "发布", "en": "Issued"},
    "loading": {"zh": "加载中…", "en": "Loading…"},
    "show_on_map": {"zh": "在地图上查看", "en": "Show on the atlas"},
    "language": {"zh": "English", "en": "中文"},
    "share": {"zh": "分享 / 嵌入", "en": "Share / embed"},
    "view_link": {"zh": "当前视图链接", "en": "Link to this view"},
    "embed_code": {"zh": "嵌入代码（iframe）", "en": "Embed code (iframe)"},
    "width": {"zh": "宽", "en": "Width"},
    "height": {"zh": "高", "en": "Height"},
    "figure_of_view": {"zh": "当前视图的静态地图（用于报告）",
                       "en": "Static figure of this view (for reports)"},
    "figure_needs_layer": {"zh": "请先打开至少一个图层。", "en": "Show at least one layer first."},
    "full_screen": {"zh": "全屏", "en": "Full screen"},
    "exit_full_screen": {"zh": "退出全屏", "en": "Exit full screen"},
    "open_in_planmap": {"zh": "在 planmap 中打开 ↗", "en": "Open in planmap ↗"},
}

def kind_label(kind: str, lang: str) -> str:
    return vocabulary.kind_label(kind, lang)


def precision_label(precision: str, lang: str) -> str:
    return vocabulary.precision_label(precision, lang)


def choose_lang() -> str:
    """?lang= (validated), else the best Accept-Language match, else the configured default."""
    return lang_of(request.args.get("lang"), request.accept_languages,
                   current_app.config["DEFAULT_LANG"])


def lang_of(asked: str | None, accept_languages: LanguageAccept, default: str) -> str:
    """choose_lang's rule on plain values (webmap.page_cache keys pages on its answer)."""
    if asked is not None:
        if asked not in LANGS:
            raise BadRequest(f"lang must be one of {', '.join(LANGS)}, not {asked!r}")
        return asked
    return accept_languages.best_match(LANGS) or default


def strings(lang: str) -> dict[str, str]:
    return {key: value[lang] for key, value in STRINGS.items()}
