"""The place, plan, layer and comparison pages through Flask's test client: both languages,
honest positions, downloads and figures from every page, the comparison, gzip.

Browser-side behaviour (axe-core, the phone layout, clicks that show a place on the plan's map)
is in test_pages_browser.py.
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pyogrio
import pytest
from markupsafe import escape

from geo import vocabulary
from geo.corpus import load_corpus
from geo.errors import BadRequest, DataError
from geo.reader import read_plan
from layers import export
from layers.export.single import PlaceView, export_place
from webmap.page_parts import CJK

ROOT = Path(__file__).resolve().parents[1]
OLD, NEW = "haidian-13th-innovation-core", "haidian-14th-fyp"


@pytest.fixture(scope="module")
def store(app):
    from webmap.sources import get_store

    return get_store(app)


def html_of(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.data[:300])
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def map_config(html: str) -> dict:
    return json.loads(re.search(r"Planmap\.init\(\w+, (\{.*\})\);", html).group(1))


# ---------------------------------------------------------------- the English interface

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
LABEL_ATTRS = ("aria-label", "title", "placeholder", "alt")


class UiText(HTMLParser):
    """The interface's own words on a page: text and labels, leaving out what is data — place
    names, quotations and data records (elements marked translate="no"), and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside data or script)
        self.ui: list[str] = []
        self.data: list[str] = []
        self.title: list[str] = []
        self.links: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skip = self._skipping() or a.get("translate") == "no" or tag in {"script", "style"}
        if tag == "a" and a.get("href") and not a.get("hreflang"):  # not the language switch
            self.links.append(str(a["href"]))
        if not skip:
            self.ui += [str(a[k]) for k in LABEL_ATTRS if a.get(k)]
            if tag in {"button", "option"} and a.get("value") and tag == "button":
                self.ui.append(str(a["value"]))
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "title":
            self.title.append(data)
        elif self._skipping():
            if not (self.stack and self.stack[-1][0] in {"script", "style"}):
                self.data.append(data)
        else:
            self.ui.append(data)


def untranslated(html: str) -> tuple[list[str], list[str]]:
    parser = UiText()
    parser.feed(html)
    bad = [s.strip() for s in parser.ui if CJK.search(s)]
    title = "".join(parser.title)
    for data in sorted({d.strip() for d in parser.data if d.strip()}, key=len, reverse=True):
        title = title.replace(data, "")  # a page's title names its place or plan
    if CJK.search(title):
        bad.append("<title> " + title)
    return bad, parser.links


def _crawl_targets(store) -> list[str]:
    urls = ["/plans", "/layers", "/compare", f"/compare?a={OLD}&b={NEW}"]
    urls += [f"/plans/{p.id}" for p in store.plans()]
    urls += [f"/layers/{lid}" for lid in store.layer_ids()]
    urls += [f"/places/{p.id}" for p in store.gazetteer]
    return urls


@pytest.mark.slow
def test_the_english_ui_has_no_chinese_except_names_and_quotations(client, store):
    """Every page of the site in English: any Chinese character outside a place name, a
    quotation or a data record (marked translate="no") is an untranslated label."""
    problems: dict[str, list[str]] = {}
    seen_links: set[str] = set()
    for url in _crawl_targets(store):
        html = html_of(client, url + ("&" if "?" in url else "?") + "lang=en")
        assert '<html lang="en">' in html, url
        bad, links = untranslated(html)
        if bad:
            problems[url] = bad[:5]
        seen_links.update(links)
    assert not problems, json.dumps(dict(list(problems.items())[:12]), ensure_ascii=False,
                                     indent=1)
    # the links an English page offers keep the language, so the crawl is the site as a reader
    # walks it in English
    internal = [u for u in seen_links if u.startswith("/") and not u.startswith("/static/")
                and urlsplit(u).path.split("/")[1] in {"places", "plans", "layers", "compare"}
                and "/download." not in u]
    assert internal
    lost = [u for u in internal if dict(parse_qsl(urlsplit(u).query)).get("lang") != "en"]
    assert not lost, lost[:10]


def test_the_crawl_catches_an_untranslated_label():
    page = ('<html lang="en"><head><title>北清路 · Haidian planning atlas</title></head><body>'
            '<h1><span translate="no" lang="zh-CN">北清路</span></h1><p>Kind: road</p>'
            '<blockquote translate="no"><p lang="zh-CN">推进北清路建设</p></blockquote>'
            '<button aria-label="搜索">Search</button><p>位置依据</p></body></html>')
    bad, _ = untranslated(page)
    assert bad == ["搜索", "位置依据"]


def test_plan_titles_issuers_and_citations_in_english(client, store):
    meta = store.plan(NEW)
    html = html_of(client, f"/plans/{NEW}?lang=en")
    assert f'<h1 class="pm-plan-title" id="pm-title">{escape(meta.title_en)}</h1>' in html
    assert escape(meta.issuer_en) in html
    plans = html_of(client, "/plans?lang=en")
    for p in store.plans():
        assert escape(p.title_en) in plans
    place = html_of(client, "/places/beiqinglu?lang=en")
    cites = re.findall(r"<cite><a [^>]*>([^<]+)</a></cite>", place)
    assert cites and all(re.search(r", line \d+$", c) for c in cites)
    assert not any("第" in c for c in cites)
    zh = html_of(client, "/places/beiqinglu")
    assert all(re.search(r"第\d+行\)$", c)
               for c in re.findall(r"<cite><a [^>]*>([^<]+)</a></cite>", zh))
    layers = client.get("/api/layers").get_json()["layers"]
    plan_layer = next(la for la in layers if la["id"] == f"plan-{NEW}")
    assert plan_layer["title"]["en"] == f"Places named in {meta.short_title_en}"


def test_english_citation_follows_the_chinese_one():
    corpus = load_corpus()
    doc = read_plan(corpus.get(NEW))
    p = doc.paragraph(382)
    assert p.citation == "《海淀区十四五规划纲要》第五章 第三节 一、 (第382行)"
    assert p.citation_en == "Haidian 14th Five-Year Plan Outline, ch. 5, sec. 3, item 1, line 382"
    for q in doc.paragraphs:
        assert q.citation_en.endswith(f", line {q.line}") and not CJK.search(q.citation_en)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title_en", None, "missing title_en"),
    ("issuer_en", "海淀区人民政府", "must be English"),
    ("short_title_en", "  ", "non-empty"),
])
def test_plans_toml_needs_english_titles(tmp_path, field, value, message):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "one.txt").write_text("第一章 总则\n一段文字。\n", encoding="utf-8")
    entry = {"id": "one", "file": "one.txt", "title": "一个规划", "short_title": "《一个规划》",
             "issuer": "某区", "title_en": "A plan", "short_title_en": "A Plan",
             "issuer_en": "A district", "date": "2030", "year": 2030, "kind": "plan",
             "language": "zh-CN"}
    if value is None:
        del entry[field]
    else:
        entry[field] = value
    lines = ["[[plan]]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}"
                            for k, v in entry.items()]
    (plans / "plans.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_corpus(plans)


# ---------------------------------------------------------------- the place page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_place_page_says_where_the_position_comes_from(client, store, lang):
    schematic = next(p for p in store.gazetteer if p.precision == "schematic")
    html = html_of(client, f"/places/{schematic.id}" + ("?lang=en" if lang == "en" else ""))
    words = schematic.accuracy(lang)
    assert f'<p class="pm-accuracy">{escape(words)}</p>' in html
    assert ("可能偏差" if lang == "zh" else "may be off by") in words
    assert escape(vocabulary.precision_explained("schematic", lang)) in html
    assert f'<dd class="pm-error-m">{vocabulary.distance_words(schematic.error_m, lang)}</dd>' \
        in html
    area_only = next(p for p in store.gazetteer if p.precision == "area-only")
    other = html_of(client, f"/places/{area_only.id}" + ("?lang=en" if lang == "en" else ""))
    assert escape(area_only.accuracy(lang)) in other


def test_place_page_offers_this_place_in_every_format_and_its_figure(client, store, tmp_path):
    html = html_of(client, "/places/beiqinglu")
    links = [u.replace("&amp;", "&") for u in re.findall(r'<a href="([^"]+)" download', html)]
    assert len(links) == len(export.offered())  # every pair the registry offers, no more
    assert all(u.startswith("/places/beiqinglu/download.") for u in links)
    for url in links:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "attachment" in resp.headers["Content-Disposition"]
    gpkg = client.get("/places/beiqinglu/download.gpkg?crs=4548")
    path = tmp_path / "place.gpkg"
    path.write_bytes(gpkg.data)
    frame = pyogrio.read_dataframe(path, layer="place_beiqinglu")
    assert list(frame["id"]) == ["beiqinglu"] and frame.crs.to_epsg() == 4548
    assert frame["accuracy_zh"][0] == store.gazetteer.get("beiqinglu").accuracy("zh")
    figures = re.findall(r'class="pm-figure-link" href="([^"]+)" data-format="(\w+)"', html)
    assert [f for _, f in figures] == ["png", "svg", "pdf"]
    assert figures[0][0] == "/figures/places/beiqinglu.png"
    en = html_of(client, "/places/beiqinglu?lang=en")
    assert "/figures/places/beiqinglu.pdf?paper=A4&amp;landscape=1&amp;lang=en" in en
    assert client.get("/places/beiqinglu/download.kml?crs=4548").status_code == 400
    assert client.get("/places/no-such-place/download.csv").status_code == 404


def test_unlocated_place_has_no_downloads(client, store):
    unlocated = next(p for p in store.gazetteer if p.geometry is None)
    html = html_of(client, f"/places/{unlocated.id}")
    assert " download>" not in html and "pm-figure-link" not in html
    assert client.get(f"/places/{unlocated.id}/download.geojson").status_code == 400
    with pytest.raises(BadRequest, match="not located"):
        PlaceView(store, unlocated.id)


def test_one_place_export_is_the_layer_export_in_small(store, tmp_path):
    result = export_place(store, "beiqinglu", "geojson", "4326", tmp_path / "one.geojson")
    assert result.layers == {"place-beiqinglu": 1}
    doc = json.loads((tmp_path / "one.geojson").read_text(encoding="utf-8"))
    (feature,) = doc["features"]
    lid = next(la for la in store.place_record("beiqinglu")["layers"])
    export.export(store, [lid], "geojson", "4326", tmp_path / "layer.geojson")
    layer = json.loads((tmp_path / "layer.geojson").read_text(encoding="utf-8"))
    same = next(f for f in layer["features"] if f["id"] == "beiqinglu")
    assert feature == same


# ---------------------------------------------------------------- layer and plan pages


def test_layer_page_links_figures_in_every_format(client, store):
    html = html_of(client, "/layers/parks?lang=en")
    figures = re.findall(r'class="pm-figure-link" href="([^"]+)"', html)
    assert figures == ["/figures/layers/parks.png?lang=en", "/figures/layers/parks.svg?lang=en",
                       "/figures/layers/parks.pdf?paper=A4&amp;landscape=1&amp;lang=en"]
    structure = next(la for la in store.layers if la.defined_by_en)
    page = html_of(client, f"/layers/{structure.id}?lang=en")
    assert structure.defined_by_en in page and structure.defined_by not in page


def test_plan_page_offers_figure_layer_downloads_and_comparison(client, store):
    html = html_of(client, f"/plans/{NEW}")
    figures = re.findall(r'class="pm-figure-link" href="([^"]+)"', html)
    assert figures[0] == f"/figures/plans/{NEW}.png"
    downloads = re.findall(r'<a href="([^"]+)" download', html)
    assert len(downloads) == len(export.offered())
    assert all(u.startswith(f"/layers/plan-{NEW}/download.") for u in downloads)
    assert client.get(downloads[0].replace("&amp;", "&")).status_code == 200
    form = re.search(r'<form class="pm-compare-form" action="/compare".*?</form>', html, re.S)
    assert form and f'name="a" value="{NEW}"' in form.group(0)
    assert f'<option value="{OLD}">' in form.group(0)
    assert '<label for="pm-compare-b">' in form.group(0)


def test_plan_map_frames_the_plans_haidian_places(client, store):
    cfg = map_config(html_of(client, f"/plans/{NEW}"))
    (south, west), (north, east) = cfg["home_bounds"]
    # Haidian lies within about 116.05–116.39 E, 39.89–40.16 N: the frame is that, not Beijing
    # (115.4–117.5 E) and not Hebei
    assert 115.95 < west < 116.1 and 116.35 < east < 116.5
    assert 39.8 < south < 39.95 and 40.1 < north < 40.25
    assert cfg["visible"] == [f"plan-{NEW}"] and cfg["fit"] is True
    html = html_of(client, f"/plans/{NEW}")
    far = re.search(r'<p class="pm-far">(.*?)</p>', html, re.S).group(1)
    assert 'data-place="xionganxinqu"' in far


# ---------------------------------------------------------------- the comparison


def test_comparison_groups_the_places_of_two_plans(client, store):
    html = html_of(client, f"/compare?a={OLD}&b={NEW}")
    old, new = set(store.plan_places(OLD)), set(store.plan_places(NEW))

    def group(key: str) -> list[str]:
        section = re.search(rf'<section class="pm-compare-group" id="pm-{key}".*?</section>',
                            html, re.S).group(0)
        return re.findall(r'<article class="pm-compare-place" data-place="([^"]+)"', section)

    both, only_old, only_new = group("both"), group("only_a"), group("only_b")
    assert set(both) == old & new and set(only_old) == old - new and set(only_new) == new - old
    assert only_new == [p for p in store.plan_places(NEW) if p not in old]  # 2021's order
    assert len(only_new) > 20
    # each new place comes with the 2021 passages that name it, cited, and nothing from 2016
    first = re.search(rf'<article class="pm-compare-place" data-place="{only_new[0]}">.*?'
                      r"</article>", html, re.S).group(0)
    new_side = re.search(rf'<div class="pm-side" data-plan="{NEW}">.*?</div>', first,
                         re.S).group(0)
    assert "<mark>" in new_side and "第" in new_side and "行)" in new_side
    old_side = re.search(rf'<div class="pm-side" data-plan="{OLD}">.*?</div>', first,
                         re.S).group(0)
    assert "pm-not-named" in old_side and "pm-passage" not in old_side
    cfg = map_config(html)
    assert [la["id"] for la in cfg["layers"]] == ["compare-both", "compare-only_a",
                                                  "compare-only_b"]
    body = client.get(f"/compare/only_b.geojson?a={OLD}&b={NEW}").get_json(force=True)
    drawn = {f["id"] for f in body["features"]}
    located = {p for p in only_new if store.gazetteer.get(p).geometry is not None}
    assert drawn == located


def test_comparison_in_english_and_its_form(client):
    html = html_of(client, f"/compare?a={OLD}&b={NEW}&lang=en")
    assert "Only in Haidian 14th Five-Year Plan Outline" in html
    assert re.search(r", line \d+</a></cite>", html)
    form = html_of(client, "/compare?lang=en")
    assert '<label for="pm-compare-a">First plan</label>' in form
    assert '<input type="hidden" name="lang" value="en">' in form
    same = html_of(client, f"/compare?a={NEW}&b={NEW}")
    assert "请选择两份不同的规划" in same and "pm-compare-group" not in same


@pytest.mark.parametrize("url", [f"/compare?a=nope&b={NEW}", f"/compare?a={NEW}",
                                 "/compare/only_b.geojson?a=x&b=y",
                                 f"/compare/middle.geojson?a={OLD}&b={NEW}",
                                 f"/compare/both.geojson?a={OLD}&b={NEW}&crs=mars"])
def test_comparison_refuses_bad_parameters(client, url):
    resp = client.get(url)
    assert resp.status_code == 400
    assert "Traceback" not in resp.get_data(as_text=True)


# ---------------------------------------------------------------- transport


@pytest.mark.parametrize("url", ["/plans/haidian-14th-fyp", "/places/beiqinglu", "/layers",
                                 f"/compare?a={OLD}&b={NEW}", "/no/such/page"])
def test_html_pages_are_gzipped_when_asked(client, url):
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    folium_ids = re.compile(rb"_[0-9a-f]{32}")  # folium names its elements at random
    assert (folium_ids.sub(b"_", gzip.decompress(zipped.data))
            == folium_ids.sub(b"_", plain.data))
    assert "Content-Encoding" not in plain.headers
    if url == "/plans/haidian-14th-fyp":
        assert len(plain.data) > 300_000 and len(zipped.data) < len(plain.data) / 3


def test_pages_allow_pinch_zoom_and_state_a_phone_viewport(client):
    for url in ("/places/beiqinglu", f"/plans/{NEW}", "/layers", "/plans", "/layers/parks",
                f"/compare?a={OLD}&b={NEW}"):
        html = html_of(client, url)
        viewports = re.findall(r'<meta name="viewport" content="([^"]+)"', html)
        assert viewports == ["width=device-width, initial-scale=1"], (url, viewports)
        assert "user-scalable=no" not in html and "maximum-scale" not in html
