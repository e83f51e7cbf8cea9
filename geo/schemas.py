"""A schema for each hand-edited data file, checked as the file is read.

The loaders check meaning (a plan id that exists, a geometry that is valid); these schemas check
shape first (a table where a table belongs, a string where a string belongs), so a slip such as
`date = 2021` or `year = "2021?"` is one line naming the file, the entry and the field instead
of a TypeError deep in a sort. Files are matched by name: the data folder's layout is fixed
(docs/developing.md), and `geo.datafiles.read_toml` applies the schema of the file it reads.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from geo.errors import DataError

_TEXT = {"type": "string", "minLength": 1}
_OPTIONAL_TEXT = {"type": "string"}
_ID = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$"}

PLANS = {
    "type": "object",
    "required": ["plan"],
    "properties": {
        "plan": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "file", "title", "short_title", "issuer", "date", "year",
                             "kind", "language"],
                "properties": {
                    "id": _ID,
                    "file": _TEXT,  # inside the plans folder: geo.corpus.check_file
                    "title": _TEXT,
                    "short_title": _TEXT,
                    "issuer": _TEXT,
                    "date": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
                    "year": {"type": "integer", "minimum": 1900, "maximum": 2200},
                    "kind": {"enum": ["plan", "article", "report"]},
                    "language": {"type": "string", "pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},
                    "period": _OPTIONAL_TEXT,
                    "author": _OPTIONAL_TEXT,
                    "note": _OPTIONAL_TEXT,
                },
                # other fields (document_number, published_in, English titles …) are shown as
                # text: any string, never a table or a list
                "additionalProperties": {"type": ["string", "integer", "boolean"]},
            },
        },
    },
    "additionalProperties": False,
}

REPAIRS = {
    "type": "object",
    "properties": {
        "missing": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["plan", "line", "heading"],
                "properties": {
                    "plan": _ID,
                    "line": {"type": "integer", "minimum": 1},
                    "heading": _TEXT,
                    "why": _OPTIONAL_TEXT,
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

_PROPERTIES = {
    "type": "object",
    # present and strings here; empty ones are named by the loader ("missing 'source'")
    "properties": {
        "id": _OPTIONAL_TEXT,
        "name": _OPTIONAL_TEXT,
        "kind": _OPTIONAL_TEXT,
        "precision": _OPTIONAL_TEXT,
        "source": _OPTIONAL_TEXT,
        "aliases": {
            "type": "array",
            "items": {"anyOf": [
                _TEXT,
                {"type": "object", "required": ["text"],
                 "properties": {"text": _TEXT,
                                "plans": {"type": "array", "items": _TEXT, "minItems": 1}}},
            ]},
        },
        "name_en": {"type": ["string", "null"]},
        "pinyin": {"type": ["string", "null"]},
        "parent": {"type": ["string", "null"]},
        "layer": {"type": ["string", "null"]},
        "themes": {"type": ["array", "null"], "items": _TEXT},
        "inside_haidian": {"type": ["string", "null"]},
        "note": {"type": ["string", "null"]},
        "drawn_as": {"type": ["string", "null"]},
        "geometry_type": {"type": ["string", "null"]},
        "basis": {"type": ["string", "null"]},
        "error_m": {"type": ["integer", "null"]},
    },
}

# null, or an object with a type (shapely checks the rest). Not anyOf: a failed branch formats
# the whole instance into its message, and a district outline has tens of thousands of points.
_GEOMETRY = {"type": ["object", "null"], "required": ["type"],
             "properties": {"type": {"type": "string"}}}

GAZETTEER = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "properties", "geometry"],
                "properties": {
                    "type": {"const": "Feature"},
                    "properties": _PROPERTIES,
                    "geometry": _GEOMETRY,
                },
            },
        },
    },
}

# Any other GeoJSON data file (data/boundaries/*.geojson): features with a geometry or null.
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry"],
                "properties": {
                    "type": {"const": "Feature"},
                    "properties": {"type": ["object", "null"]},
                    "geometry": _GEOMETRY,
                },
            },
        },
    },
}

# Schemas of the TOML files, by file name (see the module docstring).
TOML_SCHEMAS: dict[str, dict[str, Any]] = {
    "plans.toml": PLANS,
    "repairs.toml": REPAIRS,
}


def _where(error: ValidationError, data: Any) -> str:
    """`plan 3 (haidian-14th-fyp): year` from the error's path into the data."""
    parts: list[str] = []
    node = data
    for step in error.absolute_path:
        if isinstance(step, int):
            entry = node[step] if isinstance(node, list) and step < len(node) else None
            label = None
            if isinstance(entry, dict):
                ident = entry.get("id")
                if ident is None and isinstance(entry.get("properties"), dict):
                    ident = entry["properties"].get("id")
                label = ident if isinstance(ident, str) else None
            name = {"features": "feature"}.get(parts[-1], parts[-1]) if parts else "entry"
            parts[-1:] = [f"{name} {step + 1}" + (f" ({label})" if label else "")]
        else:
            parts.append(str(step))
        node = node[step] if isinstance(node, dict | list) else None
    return ": ".join(parts)


def _message(error: ValidationError) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    if error.validator == "additionalProperties" and error.validator_value is False:
        return error.message
    if error.validator == "pattern" and isinstance(error.instance, str):
        return f"{error.instance!r} is not in the expected form"
    if error.validator == "const":
        return f"must be {error.validator_value!r}, not {error.instance!r}"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    return error.message


def check(data: Any, schema: dict[str, Any], name: str) -> None:
    """DataError (one line: file, entry, field, what is wrong) for the first problem found."""
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    where = _where(error, data)
    message = _message(error).replace("\n", " ")
    if len(message) > 200:
        message = message[:200] + "…"
    raise DataError(f"{name}{' ' + where if where else ''}: {message}")


def check_toml(data: dict[str, Any], name: str) -> None:
    schema = TOML_SCHEMAS.get(name)
    if schema is not None:
        check(data, schema, name)
