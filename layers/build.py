"""`planmap build`: every layer written as GeoJSON, plus the place records and a manifest.

The output is a pure function of the inputs (plan texts, gazetteer files including the finder
rules, layers.toml, and the code of `geo` and `layers`), so the manifest records a hash of them
and a second run with nothing changed reuses the output instead of redoing the work; the
manifest also records each output file's hash, so a file cut or edited since is not "reused".

A build never deletes what it did not write. It is made in a private folder beside the target
and swapped in with one atomic rename; a previous build (it carries a marker file) is then
removed, while a folder that is not one is refused, or with `force` kept under a new name.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from geo import atomic
from geo.errors import BadRequest
from geo.paths import PROJECT_ROOT, build_dir, data_dir, gazetteer_dir, plans_dir

if TYPE_CHECKING:
    from layers.store import LayerStore

MANIFEST = "manifest.json"
# Written first into every build folder: what marks a folder as ours to replace.
MARKER = ".planmap-build"
MARKER_TEXT = "written by planmap build; the whole folder is replaced by the next build\n"
FORMAT_VERSION = 2


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
    kept: Path | None = None  # where a replaced folder that was not a build now lies


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(out: Path) -> dict | None:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def is_build(out: Path) -> bool:
    """A folder written by planmap build: the marker, a manifest, and no file it did not list
    (anything a person added would be lost with the folder)."""
    manifest = _manifest(out)
    if manifest is None:
        return False
    if (out / MARKER).is_file() and isinstance(manifest.get("files"), dict):
        ours = set(manifest["files"]) | {MANIFEST, MARKER}
    elif manifest.get("format_version") == 1 and isinstance(manifest.get("layers"), list):
        # builds made before the marker: their manifest lists every file they wrote
        ours = {str(entry.get("file")) for entry in manifest["layers"] if isinstance(entry, dict)}
        ours |= {MANIFEST, "places.json"}
    else:
        return False
    return all(entry.name in ours for entry in out.iterdir())


def _reusable(out: Path, digest: str) -> dict | None:
    """The manifest of an up-to-date, intact build at `out`; None when anything differs."""
    if not is_build(out):
        return None
    manifest = _manifest(out)
    if manifest is None or manifest.get("inputs_hash") != digest:
        return None
    files = manifest.get("files")
    if not isinstance(files, dict):
        return None
    for name, expected in files.items():
        path = out / name
        if not path.is_file() or _sha256(path) != expected:
            return None
    return manifest


def check_out(out: Path, force: bool) -> None:
    """Refuse, before any work, a target that is not a folder or is someone else's folder."""
    if out.exists() and not out.is_dir():
        raise BadRequest(f"--out {out} exists and is not a folder")
    if out.is_dir() and not force and any(out.iterdir()) and not is_build(out):
        raise BadRequest(f"--out {out} is not empty and not a previous planmap build; choose "
                         "another folder, or add --force to build there (its contents are "
                         f"then kept as {out.name}.replaced-<time>)")


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return len(data)


def _swap_in(tmp: Path, out: Path, previous_is_build: bool) -> Path | None:
    """Put the finished `tmp` at `out` in one step; returns where a foreign folder was kept."""
    if not out.exists():
        os.replace(tmp, out)
        return None
    if not any(out.iterdir()):
        os.replace(tmp, out)  # rename(2) replaces an empty folder
        return None
    if not atomic.exchange(tmp, out):
        # No atomic swap on this file system: move the old folder aside under our own
        # temporary name first, so a crash between the renames leaves both folders whole.
        aside = tmp.with_name(tmp.name + "-old")
        os.replace(out, aside)
        os.replace(tmp, out)
        tmp = aside
    if previous_is_build:
        shutil.rmtree(tmp)
        return None
    kept = out.with_name(f"{out.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while kept.exists():
        n += 1
        kept = kept.with_name(f"{out.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
    os.replace(tmp, kept)
    return kept


def _store(store_factory: Callable[[], LayerStore] | None, say: Callable[[str], None]
           ) -> LayerStore:
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
    return store


def build(out: Path | None = None, progress: Callable[[str], None] | None = None,
          force: bool = False, store_factory: Callable[[], LayerStore] | None = None
          ) -> BuildResult:
    """Write all layers into `out` (default build/layers), or reuse an up-to-date build.

    `force` rebuilds even when nothing changed and allows replacing a folder that is not a
    previous build (kept under a new name, never deleted). `store_factory` builds the store
    when the inputs changed (default: the data directory's corpus, gazetteer and definitions).
    Raises BadRequest for a refused target and atomic.WriteFailed when writing fails; either
    way the target is as it was."""
    say = progress or (lambda message: None)
    out = Path(os.path.abspath(out if out is not None else default_out()))
    started = time.perf_counter()
    check_out(out, force)
    say("hashing inputs")
    digest = inputs_hash()
    if not force and (manifest := _reusable(out, digest)) is not None:
        say(f"inputs unchanged: reusing {out}")
        return BuildResult(out, True, manifest, time.perf_counter() - started)

    # The folder to build in first: a target that cannot be written fails before the work.
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise atomic.write_error(exc, out) from None
    removed = atomic.clean_stale(out.parent)
    if removed:
        say(f"removed {len(removed)} temporary folder(s) left by killed builds")
    tmp = atomic.temp_dir(out.parent, "build", out)
    try:
        store = _store(store_factory, say)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    s = store.stats
    try:
        _write(tmp / MARKER, MARKER_TEXT)
        layers = []
        files: dict[str, str] = {}
        say(f"writing {len(store.layers)} layers")
        for layer in store.layers:
            fc = store.feature_collection(layer.id)
            name = f"{layer.id}.geojson"
            size = _write(tmp / name, json.dumps(fc, ensure_ascii=False))
            layers.append({**layer.as_dict(), "file": name, "features": len(fc["features"]),
                           "bytes": size})
        say("writing place records")
        records = {p.id: store.place_record(p.id) for p in store.gazetteer}
        _write(tmp / "places.json", json.dumps(records, ensure_ascii=False))
        for path in sorted(tmp.iterdir()):
            if path.name != MARKER:
                files[path.name] = _sha256(path)
        manifest = {
            "format_version": FORMAT_VERSION,
            "inputs_hash": digest,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "stats": s,
            "themes": store.definitions.themes,
            "layers": layers,
            "files": files,
        }
        _write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        atomic.sync_file(tmp / MANIFEST, out)
        atomic.fsync_dir(tmp)
        previous_is_build = out.is_dir() and is_build(out)
        check_out(out, force)  # the folder may have changed while we worked
        kept = _swap_in(tmp, out, previous_is_build)
        atomic.fsync_dir(out.parent)
    except OSError as exc:
        raise atomic.write_error(exc, out) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if kept is not None:
        say(f"kept the folder that was at {out} as {kept}")
    say(f"wrote {out}")
    return BuildResult(out, False, manifest, time.perf_counter() - started, kept)
