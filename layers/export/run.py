"""Writing an export: check everything cheap first, write into a private folder beside the
target, flush it to disk, then move the file into place, so a failed or half-done export (a full
disk, a file-size limit, an I/O error) leaves nothing behind and says so in one line, and a reader
(the web downloads serve from a cache folder) never sees a half-written file."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyogrio.errors import DataLayerError, DataSourceError

from geo import atomic
from geo.crs_names import CrsDef
from geo.errors import BadRequest
from layers.export.files import check_target, zip_folder
from layers.export.formats import ExportFormat
from layers.export.frames import check_base_url, left_out, table_names
from layers.export.metadata import readme_text
from layers.export.registry import export_crs, export_format
from layers.protocol import PlanStore


@dataclass
class ExportResult:
    path: Path
    format: str  # format id
    crs: str  # canonical CRS id
    layers: dict[str, int] = field(default_factory=dict)  # layer id -> feature count
    # layer id -> ids of places outside the CRS's area of use, not written
    left_out: dict[str, list[str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def left_out_count(self) -> int:
        return sum(len(ids) for ids in self.left_out.values())


def table_count(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef) -> int:
    return sum(len(table_names(store, lid, crs)) for lid in layer_ids)


def output_suffix(store: PlanStore, layer_ids: Sequence[str], fmt: str | ExportFormat,
                  crs: str | CrsDef) -> str:
    """The suffix of what `export` writes for these layers: `.zip` when the format needs
    several files (several layers of a one-layer format, a layer of several geometry types as
    FlatGeobuf), else the format's own extension."""
    fmt, crs = export_format(fmt), export_crs(crs)
    zipped = fmt.zipped(len(layer_ids), table_count(store, layer_ids, crs))
    return ".zip" if zipped and fmt.extension != ".zip" else fmt.extension


def export(store: PlanStore, layer_ids: Sequence[str], fmt: str | ExportFormat,
           crs: str | CrsDef, path: Path | str, base_url: str | None = None) -> ExportResult:
    """Write layers to `path`; refuses (BadRequest/NotFound) before writing anything, and
    raises geo.atomic.WriteFailed (nothing left behind) if the system refuses the write."""
    fmt = export_format(fmt)
    crs = export_crs(crs)
    base_url = check_base_url(base_url)
    path = Path(path)
    if not layer_ids:
        raise BadRequest("no layers to export")
    for lid in layer_ids:
        store.layer(lid)  # NotFound for an unknown layer
    fmt.check_crs(crs)
    fmt.check_path(path, len(layer_ids), table_count(store, layer_ids, crs))
    check_target(path)
    atomic.clean_stale(path.parent)  # what a killed export left here
    tmp_dir = atomic.temp_dir(path.parent, "export", path)
    try:
        with warnings.catch_warnings():
            # GDAL's notes on shapefile text widths are handled by cut_bytes: not news to the
            # user. catch_warnings swaps the process-wide filter list: with downloads exporting
            # in parallel threads this ignore may outlive a call, which hides nothing else.
            warnings.filterwarnings("ignore", message=".*has been truncated to 254")
            result = _write(store, list(layer_ids), fmt, crs, tmp_dir, path.name, base_url)
        result.left_out = {lid: ids for lid in layer_ids if (ids := left_out(store, lid, crs))}
        for extra in tmp_dir.iterdir():  # sidecars: README, GDAL's .csvt and .prj
            if extra.is_file() and extra != result.path:
                atomic.commit(extra, path.parent / extra.name)
        atomic.commit(result.path, path)
        result.path = path
        return result
    except (OSError, DataSourceError, DataLayerError) as exc:  # GDAL's, e.g. on a full disk
        raise atomic.failed(exc, path, tmp_dir) from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _write(store: PlanStore, layer_ids: list[str], fmt: ExportFormat, crs: CrsDef,
           folder: Path, name: str, base_url: str | None) -> ExportResult:
    """Write into `folder`; the main file is renamed to `name` by the caller. GDAL picks
    behaviour from the extension (a FlatGeobuf path without .fgb becomes a directory), so the
    file is first written under its format's own extension."""
    stem = Path(name).stem
    suffix = output_suffix(store, layer_ids, fmt, crs)
    if fmt.table_files and Path(name).suffix.lower() == ".zip":
        suffix = ".zip"  # asked for a ZIP: one even for a single table
    zipped = len(layer_ids) > 1 and not fmt.multi_layer
    target = folder / (stem + suffix)
    if target.name == name:
        target = folder / ("." + target.name)
    if not zipped:
        counts = fmt.write(store, layer_ids, crs, target, base_url)
        for sidecar in folder.iterdir():  # GDAL's sidecars (.csvt, .prj) take the file's stem
            if sidecar != target and sidecar.stem == target.stem:
                os.replace(sidecar, folder / (stem + sidecar.suffix))
        if fmt.readme_beside:
            (folder / (name + ".README.txt")).write_text(
                readme_text(store, layer_ids, fmt, crs, counts, base_url), encoding="utf-8")
        return ExportResult(path=target, format=fmt.id, crs=crs.id, layers=counts)
    inner = folder / "parts"
    inner.mkdir()
    counts = {}
    for lid in layer_ids:
        counts.update(fmt.write(store, [lid], crs, inner / f"{lid}{fmt.extension}", base_url))
    (inner / "README.txt").write_text(readme_text(store, layer_ids, fmt, crs, counts, base_url),
                                      encoding="utf-8")
    zip_folder(inner, target)
    shutil.rmtree(inner)
    return ExportResult(path=target, format=fmt.id, crs=crs.id, layers=counts)
