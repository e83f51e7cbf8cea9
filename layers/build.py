"""`planmap build`: every layer written as GeoJSON, plus the place records and a manifest.

The output is a pure function of the inputs (plan texts, gazetteer files including the finder
rules, layers.toml, and the code of `geo` and `layers`), so the manifest records a hash of them
and a second run with nothing changed reuses the output instead of redoing the work.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from geo.paths import PROJECT_ROOT, build_dir, data_dir, gazetteer_dir, plans_dir

if TYPE_CHECKING:
    from layers.store import LayerStore

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def default_out() -> Path:
    return build_dir() / "layers"


def input_files() -> list[Path]:
    """Every file the build reads: data and code."""
    files: list[Path] = []
    files += sorted(p for p in plans_dir().iterdir() if p.is_file())
    files += sorted(p for p in gazetteer_dir().iterdir() if p.is_file())
    files.append(data_dir() / "layers.toml")
    for package in ("geo", "layers"):
        files += sorted((PROJECT_ROOT / package).rglob("*.py"))
    return files


def inputs_hash() -> str:
    digest = hashlib.sha256(f"planmap-layers-build {FORMAT_VERSION}\n".encode())
    for path in input_files():
        if not path.is_file():
            continue
        try:
            name = path.relative_to(PROJECT_ROOT).as_posix()
        except ValueError:
            name = f"data/{path.relative_to(data_dir()).as_posix()}"
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class BuildResult:
    out: Path
    reused: bool
    manifest: dict = field(default_factory=dict)
    seconds: float = 0.0


def _reusable(out: Path, digest: str) -> dict | None:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if manifest.get("inputs_hash") != digest:
        return None
    files = [entry["file"] for entry in manifest.get("layers", [])] + ["places.json"]
    if not all((out / f).is_file() for f in files):
        return None
    return manifest


def build(out: Path | None = None, progress: Callable[[str], None] | None = None,
          force: bool = False, store_factory: Callable[[], LayerStore] | None = None
          ) -> BuildResult:
    """Write all layers into `out` (default build/layers), or reuse an up-to-date build.

    `store_factory` builds the store when the inputs changed (default: the data directory's
    corpus, gazetteer and definitions)."""
    say = progress or (lambda message: None)
    out = Path(out) if out else default_out()
    started = time.perf_counter()
    say("hashing inputs")
    digest = inputs_hash()
    if not force and (manifest := _reusable(out, digest)) is not None:
        say(f"inputs unchanged: reusing {out}")
        return BuildResult(out, True, manifest, time.perf_counter() - started)

    say("reading plans and finding places")
    if store_factory is None:
        from layers.store import LayerStore  # the expensive part: reader, finder, gazetteer

        store_factory = LayerStore
    store = store_factory()
    s = store.stats
    say(
        f"{s['mentions']} mentions of {s['mentioned']} places; {s['located']} of "
        f"{s['places']} places located, {s['unlocated']} unlocated kept out of map layers"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and swap in, so a reader never sees half a build.
    tmp = Path(tempfile.mkdtemp(prefix=".layers-", dir=out.parent))
    try:
        layers = []
        say(f"writing {len(store.layers)} layers")
        for layer in store.layers:
            fc = store.feature_collection(layer.id)
            name = f"{layer.id}.geojson"
            text = json.dumps(fc, ensure_ascii=False)
            (tmp / name).write_text(text, encoding="utf-8")
            layers.append({**layer.as_dict(), "file": name, "features": len(fc["features"]),
                           "bytes": len(text.encode("utf-8"))})
        say("writing place records")
        records = {p.id: store.place_record(p.id) for p in store.gazetteer}
        (tmp / "places.json").write_text(json.dumps(records, ensure_ascii=False),
                                         encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "inputs_hash": digest,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "stats": s,
            "themes": store.definitions.themes,
            "layers": layers,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                    encoding="utf-8")
        if out.exists():
            old = out.with_name(out.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"wrote {out}")
    return BuildResult(out, False, manifest, time.perf_counter() - started)
