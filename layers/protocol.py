"""The store contract: what the web app, the OGC API, the figures and the exports may ask.

`webmap.create_app` takes one object satisfying `PlanStore` (setting `STORE`) and every route
reaches data only through it, so a second implementation — a database-backed store building the
same domain objects (`PlanMeta`, `Place`, `LayerDef`, `PlanDocument`) from rows — can stand in
without a change to the web app. `layers.store.LayerStore` is the implementation over the data
files.

The contract exposes the read-only domain objects the figures and exports draw on (`corpus`,
`gazetteer`, `definitions`) and the derived answers everyone needs (layers and their features,
place records, plans with their text and mentions, search, the basemap). Returned dicts and lists
may be shared with the store: treat them as read-only.

`version` identifies the content: it changes whenever any input (plan text, gazetteer entry,
layer definition, finder rule) changes, so caches of derived bodies and figures key on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from geo.corpus import Corpus, PlanMeta
from geo.gazetteer import Gazetteer
from geo.licences import Attribution
from layers.basemap import BasemapFeature
from layers.definitions import Definitions, LayerDef


@dataclass(frozen=True)
class MentionSpan:
    """A place named in a paragraph: character offsets into the paragraph's text."""

    start: int
    end: int
    place_id: str


@dataclass(frozen=True)
class DocParagraph:
    """One paragraph of a plan as the plan page shows it: its line (the citation's anchor),
    citation, text, the headings it sits under and the places it names."""

    line: int
    citation: str
    citation_en: str
    text: str
    section_path: tuple[str, ...]
    heading: bool  # the paragraph is its own section's heading (a lead sentence, a table title)
    mentions: tuple[MentionSpan, ...]

    def segments(self) -> list[tuple[str, str | None]]:
        """The text cut into (piece, place id or None), so a page can link mentions without
        marking any text safe."""
        out: list[tuple[str, str | None]] = []
        pos = 0
        for m in self.mentions:
            if m.start < pos or m.end > len(self.text):
                continue
            if m.start > pos:
                out.append((self.text[pos:m.start], None))
            out.append((self.text[m.start:m.end], m.place_id))
            pos = m.end
        if pos < len(self.text):
            out.append((self.text[pos:], None))
        return out


@dataclass(frozen=True)
class OutlineEntry:
    """A heading of a plan's outline and the line of its first paragraph."""

    title: str
    depth: int
    line: int


@dataclass(frozen=True)
class PlanDocument:
    """A plan's text as paragraphs with citations and mention spans, and its outline: the
    result of the store's one pass of the reader and the finder over the plan."""

    meta: PlanMeta
    paragraphs: tuple[DocParagraph, ...]
    outline: tuple[OutlineEntry, ...]


@runtime_checkable
class PlanStore(Protocol):
    """Everything the service shows, from one object. Unknown ids raise `geo.errors.NotFound`,
    bad queries `geo.errors.BadRequest`."""

    @property
    def version(self) -> str:
        """A content hash of every input; changes when the data does."""
        ...

    def current(self) -> PlanStore:
        """The snapshot to answer one request from: a file store is its own; a database store
        gives the state its last check of the database found (webmap pins it per request, so
        one page never mixes two states)."""
        ...

    def database_status(self) -> dict[str, Any] | None:
        """For /healthz: the database's reachability and how current the served snapshot is;
        None for a store without a database."""
        ...

    def health(self, wait: bool = False) -> str | None:
        """None while the data behind the store is sound, else the one-line problem (a data
        file edited into an invalid state; for a database, a lost connection). Cheap and never
        blocking (/healthz asks on every call): a check that takes time runs in the background
        and the last answer stands meanwhile; `wait=True` waits for a fresh answer."""
        ...

    @property
    def corpus(self) -> Corpus: ...

    @property
    def gazetteer(self) -> Gazetteer: ...

    @property
    def definitions(self) -> Definitions: ...

    @property
    def layers(self) -> Sequence[LayerDef]:
        """Thematic, then structure, then per-plan layers."""
        ...

    @property
    def stats(self) -> Mapping[str, int]:
        """Counts for progress lines and manifests (places, located, mentions, layers…)."""
        ...

    # ---- layers

    def layer(self, layer_id: str) -> LayerDef: ...

    def layer_ids(self) -> list[str]: ...

    def member_ids(self, layer_id: str) -> list[str]:
        """Ids of the located places a layer draws, in layer order."""
        ...

    def features(self, layer_id: str) -> list[dict[str, Any]]:
        """The layer's places as GeoJSON Features (WGS-84, full properties)."""
        ...

    def feature_collection(self, layer_id: str) -> dict[str, Any]: ...

    def theme_title(self, key: str, lang: str) -> str:
        """The layer-control group title of a theme (the key itself when unknown)."""
        ...

    # ---- places

    def place_record(self, place_id: str) -> dict[str, Any]:
        """A place's properties, passages (with citations and mention offsets), layers and
        WGS-84 geometry (None when unlocated)."""
        ...

    def search(self, q: str, limit: int = 10) -> list[dict[str, Any]]:
        """Places matching typed text (geo.search): exact, then prefix, then substring."""
        ...

    def nearest(self, q: str, limit: int = 5) -> list[dict[str, Any]]:
        """Places whose names come closest to typed text that `search` does not find, as the
        same records, closest first: "did you mean" for the atlas and the API."""
        ...

    def search_keywords(self, place_id: str) -> tuple[str, ...]:
        """Extra words a free-text filter (OGC `q`) should find a place by: aliases and
        pinyin, which feature properties do not carry."""
        ...

    # ---- plans

    def plans(self) -> list[PlanMeta]:
        """The store's plans in date order."""
        ...

    def plan(self, plan_id: str) -> PlanMeta: ...

    def plan_document(self, plan_id: str) -> PlanDocument: ...

    def plan_places(self, plan_id: str) -> list[str]:
        """Every place a plan names (located or not), in order of first mention."""
        ...

    # ---- context

    def basemap_features(self) -> tuple[BasemapFeature, ...]:
        """The vector basemap (districts, Haidian, located lines) the atlas and figures draw."""
        ...

    def attributions(self, place_ids: Iterable[str] | None = None) -> list[Attribution]:
        """The credits the licences of these places' data ask to be shown (every place's when
        None): one per credit, with the gazetteer files it covers. Empty for our own data."""
        ...
