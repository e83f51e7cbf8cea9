"""`planmap render` and the /figures routes: the adapters over layers.figures.

The CLI writes a file a planner can paste into a report and refuses bad values with one line on
stderr and exit 2; the routes answer figures with ETag/304 and bad parameters with 400 JSON.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from layers import figures as render
from webmap import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "figures.md"


@pytest.fixture()
def planmap(monkeypatch, capsys):
    """Run `planmap …` in-process."""

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# ------------------------------------------------------------------ CLI


@pytest.mark.slow
def test_render_parks_a4_pdf(planmap, tmp_path, artifacts_dir):
    out = tmp_path / "parks.pdf"
    code, stdout, stderr = planmap("render", "--layer", "parks", "-o", str(out), "--paper", "A4")
    assert code == 0, stderr
    assert "wrote" in stdout and "210x297 mm" in stdout
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1
    assert abs(float(reader.pages[0].mediabox.width) - 595.28) < 0.5
    assert "产业园区" in reader.pages[0].extract_text()
    (artifacts_dir / "cli-parks-a4.pdf").write_bytes(out.read_bytes())
    again = tmp_path / "again.pdf"
    assert planmap("render", "--layer", "parks", "-o", str(again), "--paper", "A4")[0] == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.slow
def test_render_png_size_and_format_from_suffix(planmap, tmp_path):
    from PIL import Image

    out = tmp_path / "nodes.png"
    code, _, err = planmap("render", "--layer", "nodes", "--layer", "zones", "-o", str(out),
                           "--size", "900x600", "--dpi", "90", "--lang", "en", "--quiet")
    assert code == 0, err
    assert Image.open(out).size == (900, 600)
    svg = tmp_path / "figure.out"
    assert planmap("render", "--place", "yiheyuan", "-o", str(svg), "--format", "svg",
                   "--size", "800x600", "--quiet")[0] == 0
    assert svg.read_bytes().lstrip().startswith(b"<?xml")


@pytest.mark.parametrize("argv, message", [
    (["--layer", "parks", "--dpi", "5"], "dpi must be between"),
    (["--layer", "parks", "--size", "huge"], "WIDTHxHEIGHT"),
    (["--layer", "parks", "--size", "12000x12000"], "megapixel"),
    (["--layer", "parks", "--paper", "A4", "--size", "800x600"], "not both"),
    (["--layer", "parks", "--landscape"], "--landscape needs --paper"),
    (["--layer", "no-such-layer"], "unknown layer"),
    (["--place", "no-such-place"], "no-such-place"),
    (["--plan", "no-such-plan"], "unknown plan"),
])
def test_render_errors_are_one_line_exit_2(planmap, tmp_path, argv, message):
    out = tmp_path / "x.png"
    code, _, err = planmap("render", *argv, "-o", str(out))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_render_refuses_an_unknown_suffix_and_a_missing_directory(planmap, tmp_path):
    code, _, err = planmap("render", "--layer", "parks", "-o", str(tmp_path / "a.gif"))
    assert code == 2 and "--format" in err
    code, _, err = planmap("render", "--layer", "parks", "-o", str(tmp_path / "no" / "a.png"))
    assert code == 2 and "does not exist" in err


@pytest.mark.slow
def test_render_in_a_real_process(tmp_path):
    """The command as a user runs it: `python -m webmap.cli render …` in its own process."""
    bad = subprocess.run([sys.executable, "-m", "webmap.cli", "render", "--layer", "parks",
                          "--dpi", "9999", "-o", str(tmp_path / "x.png")], capture_output=True,
                         text=True, cwd=ROOT, timeout=120, check=False)
    assert bad.returncode == 2
    assert bad.stderr == "planmap: error: dpi must be between 50 and 600, not 9999\n"
    out = tmp_path / "nodes.svg"
    good = subprocess.run([sys.executable, "-m", "webmap.cli", "render", "--layer", "nodes",
                           "-o", str(out), "--size", "600x400"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert good.returncode == 0, good.stderr
    assert out.read_bytes().lstrip().startswith(b"<?xml") and good.stdout.startswith("wrote")


# ------------------------------------------------------------------ /figures


@pytest.mark.slow
@pytest.mark.parametrize("url, mimetype, magic", [
    ("/figures/layers/parks.png?size=800x600&dpi=80", "image/png", b"\x89PNG"),
    ("/figures/layers/parks,zones.svg?size=800x600&dpi=80", "image/svg+xml", b"<?xml"),
    ("/figures/places/yiheyuan.pdf?paper=A4&landscape=1", "application/pdf", b"%PDF"),
    ("/figures/plans/haidian-14th-fyp.png?size=800x600&dpi=60&lang=en", "image/png", b"\x89PNG"),
])
def test_figure_routes(client, url, mimetype, magic):
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == mimetype
    assert resp.data.startswith(magic)
    etag = resp.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', etag)
    assert "max-age" in resp.headers["Cache-Control"]
    assert "inline" in resp.headers["Content-Disposition"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert client.get(url).data == resp.data


@pytest.mark.slow
def test_figure_png_is_the_size_asked(client):
    from PIL import Image

    resp = client.get("/figures/layers/nodes.png?size=640x480&dpi=64")
    assert Image.open(io.BytesIO(resp.data)).size == (640, 480)
    a4 = client.get("/figures/layers/nodes.pdf?paper=A4")
    box = pypdf.PdfReader(io.BytesIO(a4.data)).pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842


@pytest.mark.parametrize("url, status, message", [
    ("/figures/layers/no-such-layer.png", 400, "unknown layer"),
    ("/figures/layers/parks,nope.png", 400, "unknown layer"),
    ("/figures/layers/parks.png?dpi=5000", 400, "dpi must be between 50 and 600"),
    ("/figures/layers/parks.png?dpi=abc", 400, "dpi must be an integer"),
    ("/figures/layers/parks.png?size=20000x20000", 400, "size must be between"),
    ("/figures/layers/parks.png?size=9000x6000&dpi=300", 400, "megapixel"),
    ("/figures/layers/parks.png?paper=A3&dpi=600", 400, "megapixel"),
    ("/figures/layers/parks.png?paper=letter", 400, "paper must be one of"),
    ("/figures/layers/parks.png?lang=fr", 400, "lang must be"),
    ("/figures/layers/parks.png?landscape=maybe", 400, "landscape"),
    ("/figures/layers/parks.png?bbox=1,2,3", 400, "bbox"),
    ("/figures/layers/parks.png?colour=red", 400, "unknown parameter"),
    ("/figures/layers/parks.gif", 400, "figures are png, svg, pdf"),
    ("/figures/places/no-such-place.png", 404, "no-such-place"),
    ("/figures/plans/no-such-plan.png", 404, "unknown plan"),
])
def test_bad_figure_requests_are_json_errors(client, url, status, message):
    resp = client.get(url, headers={"Accept": "image/png,*/*"})
    assert resp.status_code == status
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert message in body["description"] and body["status"] == status


def test_figure_limits_are_published(client):
    body = client.get("/figures").get_json()
    assert body["dpi"] == {"min": render.DPI_MIN, "max": render.DPI_MAX,
                           "default": render.DPI_DEFAULT}
    assert body["max_pixels"] == render.MAX_PIXELS == 40_000_000
    assert set(body["formats"]) == {"png", "svg", "pdf"}


def test_routes_and_limits_are_documented(app):
    text = DOCS.read_text(encoding="utf-8")
    rules = sorted({re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r.rule) for r in app.url_map.iter_rules()
                    if r.endpoint.split(".")[0] in {"figures", "embed"}})
    assert rules
    missing = [r for r in rules if f"`{r}`" not in text]
    assert not missing, f"routes not in docs/figures.md: {missing}"
    for fact in (f"{render.DPI_MIN}–{render.DPI_MAX}", "40 megapixels",
                 f"{render.SIDE_MIN_PX}–{render.SIDE_MAX_PX}", "FRAME_ANCESTORS",
                 "planmap render", "SOURCE_DATE_EPOCH"):
        assert fact in text, f"docs/figures.md does not mention {fact}"
