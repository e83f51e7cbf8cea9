"""KML: one file, one folder (Document) per layer; the place name in <name>, the policy text in
the balloon (<description>). KML is longitude/latitude by definition, so projected CRSs are
refused, and EPSG:4490 is written as lon/lat (GDAL labels it WGS-84)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyogrio

from geo.crs_names import CRSES, CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame
from layers.export.metadata import PASSAGE_POLICY, credit_note, crs_note
from layers.export.text import excerpt
from layers.protocol import PlanStore

PASSAGES_SHOWN = 20


def balloon(row: pd.Series, passages: list[dict]) -> str:
    """The balloon. Google Earth and most KML viewers render <description> as HTML, so every
    piece of place or plan text is escaped and the structure is ours."""
    e = html.escape
    parts = [
        f"<p><b>{e(str(row['name']))}</b>({e(str(row['kind']))},"
        f"precision: {e(str(row['precision']))})<br/>"
        f"规划提及 {int(row['mention_count'])} 次 / mentioned {int(row['mention_count'])} times</p>"
    ]
    for p in passages[:PASSAGES_SHOWN]:
        parts.append(f"<p>{e(excerpt(p, limit=400))}</p>")
    if len(passages) > PASSAGES_SHOWN:
        more = len(passages) - PASSAGES_SHOWN
        parts.append(f"<p>(另有{more}段,见 {e('/places/' + str(row['id']))})</p>")
    return "\n".join(parts)


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path
          ) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i, lid in enumerate(layer_ids):
        gdf = layer_frame(store, lid, crs, nested=False)
        passages = [json.loads(p) for p in gdf["passages"]]
        gdf.insert(2, "description", [
            balloon(row, ps) for (_, row), ps in zip(gdf.iterrows(), passages, strict=True)
        ])
        gdf = gdf.drop(columns=["passages"])
        layer = store.layer(lid)
        options: dict[str, object] = {
            "layer": lid,
            "layer_options": {"DESCRIPTION": " ".join(filter(None, [
                f"{layer.title['zh']} / {layer.title['en']}.", credit_note(store, [lid])]))},
        }
        if i == 0:
            options["dataset_options"] = {
                "NAME": "planmap",
                "DESCRIPTION": f"planmap layers. {crs_note(crs)} {PASSAGE_POLICY} "
                               f"{credit_note(store, layer_ids)}".rstrip(),
            }
        else:
            options["append"] = True
        pyogrio.write_dataframe(gdf, path, driver="LIBKML", **options)
        counts[lid] = len(gdf)
    return counts


FORMAT = ExportFormat(
    id="kml",
    title="KML (lon/lat only): one folder per layer, policy text in the balloon",
    extension=".kml",
    media_type="application/vnd.google-earth.kml+xml",
    multi_layer=True,
    write=write,
    refuses=tuple(c.id for c in CRSES if not c.geographic),
    refusal="KML coordinates are longitude/latitude by definition",
)
