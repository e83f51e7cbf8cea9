"""What a download format is, as one record: the CLI, the web downloads and the docs all read
these records (through layers.export.registry), so a format's extension, media type and refusals
are stated once, beside the code that writes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.crs_names import CRSES, WGS84, CrsDef
from geo.errors import BadRequest
from layers.protocol import PlanStore

# store, layer ids, CRS, path to write, site address for `detail_url` (or None) → features
# written per layer id. A format that holds one layer per file (`multi_layer=False`) is always
# called with exactly one layer id.
Writer = Callable[[PlanStore, Sequence[str], CrsDef, Path, str | None], dict[str, int]]


@dataclass(frozen=True)
class ExportFormat:
    """One download format.

    `multi_layer`: several layers go into one file (GeoPackage tables, KML folders, the shapefile
    ZIP); otherwise several layers are written as a ZIP of one file per layer. `refuses`: CRS ids
    the format cannot hold, with `refusal` saying why. `readme_beside`: a single file gets
    `<file>.README.txt` next to it (its format has nowhere inside for the notes). `wrong_suffix`:
    an output suffix that would mislead, and the message refusing it. `table_files`: one file
    per table (layer × geometry family, FlatGeobuf): a single table is a bare file, several
    are a ZIP, whose name the writer chooses (`zipped`).
    """

    id: str
    title: str
    extension: str
    media_type: str
    multi_layer: bool
    write: Writer
    refuses: tuple[str, ...] = ()
    refusal: str = ""
    aliases: tuple[str, ...] = ()
    readme_note: str = ""
    readme_beside: bool = False
    wrong_suffix: tuple[str, str] | None = None
    table_files: bool = False
    style_only: bool = False  # a style, the same in every CRS: offered once, in WGS-84

    def offers(self, crs: CrsDef) -> bool:
        return crs.id not in self.refuses

    def listed(self, crs: CrsDef) -> bool:
        """Shown as a download in this CRS (a style once, not once per CRS)."""
        return self.offers(crs) and (not self.style_only or crs is WGS84)

    def check_crs(self, crs: CrsDef) -> None:
        """BadRequest naming the CRSs to choose instead, if this format cannot hold `crs`."""
        if self.offers(crs):
            return
        ok = [c.id for c in CRSES if self.offers(c)]
        choices = ", ".join(ok[:-1]) + f" or {ok[-1]}" if len(ok) > 1 else ok[0]
        raise BadRequest(f"{self.refusal}: choose {choices}, or another format for {crs.id}")

    def zipped(self, layer_count: int, table_count: int) -> bool:
        """Whether the download is a ZIP of several files rather than one file."""
        if self.table_files:
            return table_count > 1
        return layer_count > 1 and not self.multi_layer

    def check_path(self, path: Path, layer_count: int, table_count: int | None = None) -> None:
        """BadRequest if `path` cannot hold what this format writes for `layer_count` layers
        (`table_count` tables, for a format of one file per table)."""
        zipped = self.zipped(layer_count, layer_count if table_count is None else table_count)
        if zipped and path.suffix.lower() != ".zip":
            holds, what = (("one layer and one geometry type", "layers or geometry types")
                           if self.table_files else ("one layer", "layers"))
            raise BadRequest(
                f"{self.id} holds {holds} per file: several {what} are written as a ZIP of one "
                "file each, so give -o a .zip path (or use gpkg/kml, which hold many layers)"
            )
        if self.wrong_suffix and path.suffix.lower() == self.wrong_suffix[0]:
            raise BadRequest(self.wrong_suffix[1])
