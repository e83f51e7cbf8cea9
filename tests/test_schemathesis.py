"""Property-based run over the OGC API's own OpenAPI document (`/ogcapi/api`).

schemathesis generates requests from the document — valid and invalid parameters, odd strings,
huge numbers, methods the document does not list — and applies all its checks to each answer:
no server error, a status the document lists for the operation, a body and content type that
match the documented ones, `Allow` on 405, valid data accepted. A failure is a contradiction
between what the API says and what it does.

Bounded so `make test` stays minutes long: EXAMPLES per operation, and of the 30 collections
(whose operations share one implementation) one of each geometry kind plus a per-plan layer;
the operations outside /collections/<id> are all run.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from webmap import create_app

EXAMPLES = 200
COLLECTIONS = ("parks-polygons", "transport-lines", "nodes", "plan-haidian-14th-fyp-points")

_app = create_app({"TESTING": False, "RATE_LIMIT_SEARCH": "", "RATE_LIMIT_RENDER": "",
                   "RATE_LIMIT_DOWNLOAD": ""})
_collection = "|".join(COLLECTIONS)
schema = schemathesis.openapi.from_wsgi("/ogcapi/api", _app).include(
    path_regex=rf"^/(?!collections/)|^/collections$|^/collections/({_collection})(/|$)")

pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_ogcapi_answers_as_its_openapi_says(case):
    # identity: schemathesis reads bodies as sent, and gzip is tested on its own
    # (tests/test_ogcapi_query.py). A `filter` is CQL2 and a `datetime` RFC 3339, grammars the
    # schema cannot state: any generated string is "schema-valid", so a 400 for one that is not
    # CQL2 or a date is right; every other check still applies (tests/test_ogcapi_query.py
    # checks filters and dates themselves), and `filter-lang`/`filter-crs` without a `filter`,
    # or `bbox-crs` without a `bbox`, is refused as a slip, and a `bbox`'s range depends on its
    # `bbox-crs`: dependencies between parameters OpenAPI cannot state either.
    query = case.query or {}
    grammar = {"filter", "datetime", "filter-lang", "filter-crs", "bbox-crs",
               "bbox"} & set(query)
    excluded = [positive_data_acceptance] if grammar else []
    # `properties=` (no properties, documented) is also how an invalid list ([""]) is written
    # and a `limit` above the maximum is clamped, as Part 1 allows (/req/core/fc-limit-response-1)
    limit = str(query.get("limit", ""))
    if query.get("properties") in ("", [], [""]) or (limit.isdigit() and int(limit) > 10000):
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=excluded)
