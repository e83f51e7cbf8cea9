"""The atlas scripts (webmap/static/atlas/): small modules, all loaded in order before folium's
inline call, none holding its own copy of a style rule or colour (those come in the config)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from geo import extents
from layers import styles
from webmap import maps

STATIC = Path(maps.__file__).parent / "static"
ATLAS = STATIC / "atlas"
MAX_LINES = 250


def _scripts() -> list[Path]:
    return sorted(p for p in STATIC.rglob("*.js")
                  if "vendor" not in p.relative_to(STATIC).parts)


def test_no_script_module_is_over_250_lines():
    scripts = _scripts()
    assert len(scripts) >= len(maps.ATLAS_MODULES)
    lines = {str(p.relative_to(STATIC)): len(p.read_text(encoding="utf-8").splitlines())
             for p in scripts}
    long = {name: n for name, n in lines.items() if n > MAX_LINES}
    assert not long, f"split these scripts (over {MAX_LINES} lines): {long}"


def test_every_module_on_disk_is_loaded_and_registers_under_its_name():
    assert {p.stem for p in ATLAS.glob("*.js")} == set(maps.ATLAS_MODULES)
    assert len(set(maps.ATLAS_MODULES)) == len(maps.ATLAS_MODULES)
    assert maps.ATLAS_MODULES[0] == "core" and maps.ATLAS_MODULES[-1] == "start"
    for name in maps.ATLAS_MODULES[1:]:
        text = (ATLAS / f"{name}.js").read_text(encoding="utf-8")
        assert re.findall(r"Planmap\.module\('([\w-]+)'", text) == [name], name


def test_pages_load_the_modules_in_order_before_the_init_call(client):
    for path in ("/", "/places/beiqinglu", "/layers/parks", "/embed?layers=zones"):
        html = client.get(path).get_data(as_text=True)
        head, _, _ = html.partition("</head>")
        assert re.findall(r'<script src="/static/atlas/([\w-]+)\.js"', head) == \
            list(maps.ATLAS_MODULES), path
        assert html.index("/static/atlas/start.js") < html.index("Planmap.init("), path


def test_no_style_rule_or_colour_is_copied_into_the_scripts():
    for path in ATLAS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b", text), f"{path.name} holds a colour"
        for precision in styles.PRECISION_LOOKS:
            assert not re.search(rf"""['"]{re.escape(precision)}['"]""", text), \
                f"{path.name} names the precision {precision!r}: read cfg.styles instead"


def test_the_config_carries_the_style_rules_and_extents(client):
    html = client.get("/").get_data(as_text=True)
    cfg = json.loads(re.search(r"Planmap\.init\(\w+, (\{.*\})\);", html).group(1))
    assert cfg["styles"]["precision"] == styles.browser_config()["precision"]
    assert cfg["styles"]["basemap"] == styles.BASEMAP_STYLES
    assert cfg["styles"]["default_colour"] == styles.DEFAULT_COLOUR
    assert cfg["home_bounds"] == extents.leaflet_bounds(extents.BEIJING)
