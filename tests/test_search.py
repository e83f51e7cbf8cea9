"""Search that forgives (geo.search, the one search of the atlas, the API and the CLI):
traditional characters, pinyin initials, close spellings, and the nearest names for a miss."""

from __future__ import annotations

import pytest

from geo.search import PlaceIndex, fold, initials
from layers.store import LayerStore, default_store


@pytest.fixture(scope="module")
def store() -> LayerStore:
    return default_store()


@pytest.fixture(scope="module")
def index(store: LayerStore) -> PlaceIndex:
    return PlaceIndex(store.gazetteer)


def test_fold_makes_traditional_characters_simplified() -> None:
    assert fold("頤和園") == fold("颐和园") == "颐和园"
    assert fold("中關村 科學城") == "中关村科学城"
    assert fold("Summer Palace") == "summerpalace"


def test_initials_keep_digits_and_latin() -> None:
    assert initials("中关村") == "zgc"
    assert initials("地铁13号线") == "dt13hx"


@pytest.mark.parametrize(("typed", "pid"), [
    ("頤和園", "yiheyuan"), ("颐和园", "yiheyuan"), ("Summer Palace", "yiheyuan"),
    ("summer palace", "yiheyuan"), ("zgc", "zhongguancun"), ("ZGC", "zhongguancun"),
    ("bql", "beiqinglu"), ("北清路", "beiqinglu"),
    # places the plans do not name, found through the rail stations (OpenStreetMap) and the
    # larger vocabulary (the area 西二旗 comes before its station, the street before its station)
    ("西二旗站", "xierqizhan"), ("回龙观", "huilongguanzhan"), ("西小口", "xixiaokouzhan"),
    ("苏州街站", "suzhoujiezhan"), ("西二旗", "xierqi"), ("苏州街", "suzhoujie"),
    ("xierqi", "xierqi"), ("八里庄", "balizhuangjiedao"), ("百望山", "baiwangshan"),
])
def test_search_finds_the_place_first(store: LayerStore, typed: str, pid: str) -> None:
    results = store.search(typed, limit=5)
    assert results and results[0]["id"] == pid, [r["id"] for r in results]
    assert results[0]["match"] in {"exact", "prefix"}


@pytest.mark.parametrize(("typed", "pid"), [("颐和圆", "yiheyuan"), ("summer palce", "yiheyuan"),
                                            ("beiqinlu", "beiqinglu")])
def test_close_spellings_are_fuzzy_matches(store: LayerStore, typed: str, pid: str) -> None:
    results = store.search(typed, limit=5)
    assert results[0]["id"] == pid, [r["id"] for r in results]
    assert {r["match"] for r in results} == {"fuzzy"}


def test_fuzzy_only_when_nothing_matches_plainly(store: LayerStore) -> None:
    results = store.search("清河", limit=50)
    assert "fuzzy" not in {r["match"] for r in results}
    # initials never match inside a longer run of initials ("gc" is not 中关村)
    assert "zhongguancun" not in [r["id"] for r in store.search("gc", limit=50)]


# names in Haidian the gazetteer does not hold (since the stations came in, 西小口, 苏州街 and
# 回龙观 are found; since the larger vocabulary, 八里庄 and 万柳 (万柳东路 is a fuzzy match of it))
@pytest.mark.parametrize("typed", ["小西天", "小营西路", "黑山扈路"])
def test_a_miss_has_nearest_names(store: LayerStore, typed: str) -> None:
    assert store.search(typed) == []
    nearest = store.nearest(typed)
    assert nearest, typed
    assert all(r["match"] == "fuzzy" and r["id"] for r in nearest)
    # they share a character with what was typed
    assert all(set(r["matched"]) & set(typed) for r in nearest), nearest


def test_nearest_names_are_close_first(index: PlaceIndex) -> None:
    assert index.nearest("颐和圆")[0] == "颐和园"
    assert index.nearest("zzzzqqqq") == []


def test_api_answers_nearest_for_a_miss(client) -> None:
    r = client.get("/api/places?q=小营西路").get_json()
    assert r["results"] == [] and r["nearest"]
    assert all(n["page"].startswith("/places/") for n in r["nearest"])
    r = client.get("/api/places?q=頤和園").get_json()
    assert r["results"][0]["id"] == "yiheyuan" and r["nearest"] == []
