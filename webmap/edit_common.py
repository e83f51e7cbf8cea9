"""What the corrections pages share: who may see them, the form fields as the core's bodies, and
revisions and fields in words.

The pages are per user (an editor sees forms, a reviewer the decision buttons), so they are
never stored by a shared cache (`private`); the atlas's own pages stay the same for everyone and
only reveal links to these (static/edit/account.js). Every role check is made again by the core
(`layers.edits.service.Edits`) whatever a page shows.
"""

from __future__ import annotations

import json
from typing import Any

from flask import redirect, request
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from geo import vocabulary
from geo.crs_names import CRSES
from geo.errors import BadRequest
from layers.accounts import Actor
from layers.db.errors import Forbidden
from layers.edits import sketch, upload
from layers.edits.service import Edits
from webmap import i18n
from webmap.auth.session import current_actor
from webmap.sources import database_store

# What the form fields of a correction are called in the core's body.
FIELD_KEYS = {"precision": "precision", "basis": "basis", "error_m": "expected_error",
              "source": "source", "note": "note", "name": "name", "name_en": "name_en",
              "kind": "kind", "parent": "parent", "aliases": "field_aliases",
              "geometry": "col_geometry", "exists": "field_exists"}


def edits() -> Edits:
    store = database_store()
    if store is None:
        raise BadRequest("this server has no database (DATABASE_URL = none): no corrections")
    return store.edits


def page_actor(role: str) -> Actor | Response:
    """The signed-in actor of a page that needs `role`; a redirect to sign in for nobody, 403
    for too low a role."""
    edits()
    actor = current_actor()
    if actor is None:
        return redirect(f"/login?next={request.full_path.rstrip('?')}", code=303)
    actor.require(role, f"the page {request.path}")
    return actor


def private(response: Response) -> Response:
    """Per-user pages: never kept by a browser's or nginx's cache."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def lang_q(lang: str) -> str:
    return "lang=en" if lang == "en" else ""


# ---------------------------------------------------------------- form fields -> core bodies

def _int_or_none(value: str | None, what: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise BadRequest(f"{what} must be a whole number")
    return int(text)


def base_revision() -> int | None:
    return _int_or_none(request.form.get("base_revision"), "base_revision")


def _geometry_text(text: str) -> dict[str, Any]:
    """A GeoJSON geometry typed or drawn into the form (a Feature's geometry is taken)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRequest(f"the geometry is not JSON ({error.msg}, line {error.lineno})") from None
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        if len(features) != 1:
            raise BadRequest("paste one geometry, not a collection of features")
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise BadRequest("the geometry must be a GeoJSON geometry object")
    return value


def uploaded() -> FileStorage | None:
    file = request.files.get("file")
    return file if file is not None and file.filename else None


def read_upload(file: FileStorage, place_id: str | None, names: tuple[str, ...]
                ) -> upload.Upload:
    data = file.stream.read(upload.MAX_BYTES + 1)
    return upload.read_geometry(data, request.form.get("crs"), place_id, names)


def geometry_body(place_id: str | None, names: tuple[str, ...]) -> dict[str, Any]:
    """The geometry part of a correction: none (cannot be located), an uploaded file, the drawn
    or typed GeoJSON, or nothing (keep the present geometry)."""
    form = request.form
    if form.get("unlocatable"):
        return {"geometry": None}
    file = uploaded()
    if file is not None:
        return {"geometry": read_upload(file, place_id, names).geometry}
    text = (form.get("geometry") or "").strip()
    return {"geometry": _geometry_text(text)} if text else {}


def position_body() -> dict[str, Any]:
    form = request.form
    return {"precision": form.get("precision") or None,
            "basis": form.get("basis") or None,
            "error_m": _int_or_none(form.get("error_m"), "the expected error (metres)"),
            "source": form.get("source") or None, "note": form.get("note") or None}


def new_place_body() -> dict[str, Any]:
    form = request.form
    body: dict[str, Any] = {k: (form.get(k) or "").strip() or None
                            for k in ("id", "name", "name_en", "kind", "parent")}
    body.update(position_body())
    body.update(geometry_body(body.get("id"), (body.get("name") or "",)))
    if body.get("geometry") is None and body.get("precision") is None:
        body["precision"] = "unlocated"
    return {k: v for k, v in body.items() if v is not None or k == "geometry"}


# ---------------------------------------------------------------- choices and words

def choices(lang: str) -> dict[str, Any]:
    """The select lists of the forms, labelled in `lang`."""
    return {
        "precisions": [(p, i18n.precision_label(p, lang)) for p in vocabulary.PRECISIONS],
        "bases": [(b, words[lang]) for b, words in vocabulary.BASES.items()],
        "kinds": [(k, i18n.kind_label(k, lang)) for k in vocabulary.KINDS],
        "crses": [(c.param, f"{c.id} · {c.title[lang]}") for c in CRSES],
        "upload_mb": upload.MAX_BYTES // 2**20,
    }


def geometry_words(geometry: dict[str, Any] | None, lang: str) -> str:
    info = sketch.describe(geometry)
    if info is None:
        return i18n.text("no_geometry", lang)
    words = i18n.text("geometry_words", lang, type=info["type"], vertices=info["vertices"])
    if info["area_km2"] is not None:
        words += i18n.text("list_sep", lang) + i18n.text("area_words", lang,
                                                          km2=info["area_km2"])
    if info["length_km"] is not None:
        words += i18n.text("list_sep", lang) + i18n.text("length_words", lang,
                                                          km=info["length_km"])
    return words


def value_words(field: str, value: Any, lang: str) -> str:
    """A field's value as a reviewer reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "precision":
        return i18n.precision_label(value, lang)
    if field == "kind":
        return i18n.kind_label(value, lang)
    if field == "basis":
        return vocabulary.BASES.get(value, {}).get(lang, str(value))
    if field == "error_m" and isinstance(value, int):
        return i18n.distance(value, lang)
    if field == "aliases" and isinstance(value, list):
        return i18n.text("list_sep", lang).join(
            a if isinstance(a, str) else f"{a.get('text')} ({', '.join(a.get('plans', []))})"
            for a in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def field_label(field: str, lang: str) -> str:
    key = FIELD_KEYS.get(field)
    return i18n.text(key, lang) if key else field


def kind_words(kind: str, lang: str) -> str:
    return i18n.text(f"rev_{kind}", lang)


def status_words(status: str, lang: str) -> str:
    return i18n.text(f"status_{status}", lang)


def role_words(role: str, lang: str) -> str:
    return i18n.text(f"role_{role}", lang)


def head_words(head: int | None, lang: str) -> str:
    return i18n.text("revision_n", lang, n=head) if head else i18n.text("data_files", lang)


def when(iso: str | None) -> str:
    """An ISO time as a person reads it in a table (UTC, to the minute)."""
    return (iso or "")[:16].replace("T", " ") + (" UTC" if iso else "")


def must_be(actor: Actor, role: str) -> None:
    if not actor.at_least(role):
        raise Forbidden(f"this needs the {role} role; {actor.username} is a {actor.role}")
