"""docs/layers.md documents every layer, definition field, property, format, CRS and
shapefile field the code knows: adding one without documenting it fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.crs_names import CRSES
from layers.definitions import LAYER_FIELDS, PLAN_LAYER_FIELDS, STYLE_FIELDS, load_definitions
from layers.export import FIELD_MAP, FORMATS
from layers.store import FEATURE_PROPERTIES

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "layers.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("layer", load_definitions(ROOT / "data" / "layers.toml").layers,
                         ids=lambda la: la.id)
def test_every_layer_is_documented(layer) -> None:
    assert f"`{layer.id}`" in DOC
    assert layer.title["zh"] in DOC


@pytest.mark.parametrize(
    "name",
    sorted(LAYER_FIELDS | STYLE_FIELDS | PLAN_LAYER_FIELDS | set(FEATURE_PROPERTIES)
           | set(FIELD_MAP.values()) | {"excerpts", "layer_metadata", "passages.csv"}),
)
def test_every_field_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC or f"{name}," in DOC or f" {name} " in DOC, name


@pytest.mark.parametrize("name", [*FORMATS, *(crs.id for crs in CRSES)])
def test_every_format_and_crs_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC
