#!/usr/bin/env python3
"""Regenerate webmap/static/vendor/ from the npm registry.

planmap must work on an intranet with no internet, so every script, stylesheet, font and image a
page uses is served by the app. The output is committed: CI and users need no npm. Run this only
to change a version (edit package.json, then `python scripts/vendor_assets.py --update-lock`).

npm runs in a temporary directory, so no node_modules/ appears in the checkout. The folder layout
of each package is kept (vendor/<package>/<path as in the package>) because the stylesheets link
their fonts and images with relative URLs such as `url(../webfonts/fa-solid-900.woff2)`.

Two files exist in no npm package and are generated here:
- the Bootstrap 3 glyphicons stylesheet folium links from a CDN: its rules are cut out of
  bootstrap@3.4.1's dist/css/bootstrap.css (same fonts, same folder layout);
- folium's `leaflet.awesome.rotate.min.css`: the `fa-rotate-<angle>` classes its Icon emits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "webmap" / "static" / "vendor"

# package folder in node_modules -> files or folders to keep (relative to the package)
KEEP: dict[str, list[str]] = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
    "jquery": ["dist/jquery.min.js", "LICENSE.txt"],
    "bootstrap": ["dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css", "LICENSE"],
    "bootstrap3": ["dist/fonts", "LICENSE"],
    "drmonty-leaflet-awesome-markers": [
        "js/leaflet.awesome-markers.js",
        "css/leaflet.awesome-markers.css",
        "css/images",
    ],
    "@fortawesome/fontawesome-free": ["css/all.min.css", "webfonts", "LICENSE.txt"],
    "leaflet.fullscreen": [
        "Control.FullScreen.js",
        "Control.FullScreen.css",
        "icon-fullscreen.svg",
        "LICENSE",
    ],
    "leaflet-groupedlayercontrol": [
        "dist/leaflet.groupedlayercontrol.min.js",
        "dist/leaflet.groupedlayercontrol.min.css",
        "LICENSE.txt",
    ],
    "d3": ["d3.min.js", "LICENSE"],
    # the editing plug-in of the corrections pages (draw and modify a place's geometry)
    "@geoman-io/leaflet-geoman-free": [
        "dist/leaflet-geoman.min.js",
        "dist/leaflet-geoman.css",
        "LICENSE",
    ],
}

# Packages whose dist file has their npm dependencies bundled into it: the licences of those
# dependencies are collected next to the package's own (THIRD-PARTY-LICENSES.txt).
BUNDLES = ("@geoman-io/leaflet-geoman-free",)
LICENCE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE", "license.md")

AWESOME_MARKERS_LICENSE = """Leaflet.awesome-markers 2.0.2 (npm: drmonty-leaflet-awesome-markers)
Copyright (C) 2013 Lennard Voogdt
Licensed under the MIT licence, as declared in the package's package.json
(http://github.com/lvoogdt/Leaflet.awesome-markers). The package ships no licence file; this
note records the licence it declares.

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions: The above copyright notice and this
permission notice shall be included in all copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""


def _run_npm(workdir: Path, update_lock: bool) -> None:
    shutil.copy(ROOT / "package.json", workdir / "package.json")
    lock = ROOT / "package-lock.json"
    if lock.exists() and not update_lock:
        shutil.copy(lock, workdir / "package-lock.json")
        cmd = ["npm", "ci"]
    else:
        cmd = ["npm", "install"]
    cmd += ["--ignore-scripts", "--no-audit", "--no-fund"]
    subprocess.run(cmd, cwd=workdir, check=True)
    shutil.copy(workdir / "package-lock.json", lock)


def _glyphicons(bootstrap_css: str) -> str:
    """Every top-level rule of Bootstrap 3 that defines the glyphicon font or a glyphicon class."""
    out = ["/* glyphicons rules cut from bootstrap@3.4.1 dist/css/bootstrap.css (MIT) */"]
    for match in re.finditer(r"(?ms)^(@font-face\s*|[^\s@}][^{]*)\{[^}]*\}", bootstrap_css):
        block = match.group(0)
        head = match.group(1)
        if "Glyphicons Halflings" in block or ".glyphicon" in head:
            out.append(block)
    return "\n".join(out) + "\n"


def _rotate_css() -> str:
    """folium's Icon(angle=N) adds class fa-rotate-N; the stylesheet turns the glyph."""
    rules = [
        f".fa-rotate-{a}{{-webkit-transform:rotate({a}deg);transform:rotate({a}deg)}}"
        for a in range(360)
    ]
    return "/* generated by scripts/vendor_assets.py for folium's Icon(angle=…) */\n" + "\n".join(
        rules
    ) + "\n"


def _copy(src_root: Path, rel: str, dst_root: Path) -> None:
    src = src_root / rel
    dst = dst_root / rel
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def _dependencies(node_modules: Path, package: str) -> list[Path]:
    """The folders of every package `package` depends on, transitively (npm's flat layout,
    with nested node_modules where versions differ)."""
    seen: dict[str, Path] = {}
    todo = [node_modules / package]
    while todo:
        folder = todo.pop()
        meta = json.loads((folder / "package.json").read_text("utf-8"))
        for dep in meta.get("dependencies", {}):
            for candidate in (folder / "node_modules" / dep, node_modules / dep):
                if candidate.is_dir():
                    break
            else:
                raise SystemExit(f"{package}: dependency {dep} is not in node_modules")
            if dep not in seen:
                seen[dep] = candidate
                todo.append(candidate)
    return [seen[name] for name in sorted(seen)]


def _bundled_licences(node_modules: Path, package: str) -> str:
    """Name, version, declared licence and licence text of each package bundled into
    `package`'s dist file."""
    parts = [f"Packages bundled into {package}'s dist files (npm dependencies, as installed)\n"]
    for folder in _dependencies(node_modules, package):
        meta = json.loads((folder / "package.json").read_text("utf-8"))
        texts = [(folder / name).read_text("utf-8") for name in LICENCE_FILES
                 if (folder / name).is_file()]
        parts.append(f"==== {meta['name']} {meta['version']} ({meta.get('license', 'see text')})"
                     f"\n\n{texts[0].strip() if texts else 'No licence file in the package.'}\n")
    return "\n".join(parts)


def build(node_modules: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for package, keep in KEEP.items():
        for rel in keep:
            _copy(node_modules / package, rel, out / package)
    (out / "drmonty-leaflet-awesome-markers" / "LICENSE.txt").write_text(
        AWESOME_MARKERS_LICENSE, encoding="utf-8"
    )
    bootstrap3_css = (node_modules / "bootstrap3" / "dist/css/bootstrap.css").read_text("utf-8")
    glyph = out / "bootstrap3" / "dist/css/bootstrap-glyphicons.css"
    glyph.parent.mkdir(parents=True, exist_ok=True)
    glyph.write_text(_glyphicons(bootstrap3_css), encoding="utf-8")
    rotate = out / "folium" / "leaflet.awesome.rotate.min.css"
    rotate.parent.mkdir(parents=True, exist_ok=True)
    rotate.write_text(_rotate_css(), encoding="utf-8")
    (out / "folium" / "LICENSE.txt").write_text(
        "Generated by planmap's scripts/vendor_assets.py (MIT, as planmap).\n", encoding="utf-8"
    )
    for package in BUNDLES:
        (out / package / "THIRD-PARTY-LICENSES.txt").write_text(
            _bundled_licences(node_modules, package), encoding="utf-8")
    versions = {}
    for package in KEEP:
        meta = json.loads((node_modules / package / "package.json").read_text("utf-8"))
        versions[package] = {"name": meta["name"], "version": meta["version"]}
    files = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }
    manifest = {"packages": versions, "files": files}
    (out / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update-lock", action="store_true", help="resolve afresh (npm install)")
    parser.add_argument("--node-modules", type=Path, help="use an existing node_modules folder")
    args = parser.parse_args(argv)
    if args.node_modules:
        build(args.node_modules, VENDOR)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _run_npm(Path(tmp), args.update_lock)
            build(Path(tmp) / "node_modules", VENDOR)
    total = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"vendored {len(KEEP)} packages into {VENDOR.relative_to(ROOT)} ({total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
