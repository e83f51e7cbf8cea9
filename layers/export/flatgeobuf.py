"""FlatGeobuf: one layer per file, with a spatial index; title and description in the header."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyogrio

from geo.crs_names import CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame
from layers.export.metadata import credit_note, crs_note
from layers.protocol import PlanStore


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path
          ) -> dict[str, int]:
    (lid,) = layer_ids
    gdf = layer_frame(store, lid, crs, nested=False)
    layer = store.layer(lid)
    pyogrio.write_dataframe(
        gdf, path, driver="FlatGeobuf", layer=lid,
        layer_options={
            "TITLE": layer.title["zh"],
            "DESCRIPTION": f"{layer.title['en']}. {layer.description['en']} {crs_note(crs)} "
                           f"{credit_note(store, [lid])}".rstrip(),
        },
    )
    return {lid: len(gdf)}


FORMAT = ExportFormat(
    id="fgb",
    title="FlatGeobuf",
    extension=".fgb",
    media_type="application/flatgeobuf",
    multi_layer=False,
    write=write,
    aliases=("flatgeobuf",),
)
