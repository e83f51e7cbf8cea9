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

from webmap import create_app

EXAMPLES = 200
COLLECTIONS = ("parks", "transport", "nodes", "plan-haidian-14th-fyp")

_app = create_app({"TESTING": False, "RATE_LIMIT_SEARCH": "", "RATE_LIMIT_RENDER": "",
                   "RATE_LIMIT_DOWNLOAD": ""})
_collection = "|".join(COLLECTIONS)
schema = schemathesis.openapi.from_wsgi("/ogcapi/api", _app).include(
    path_regex=rf"^/(?!collections/)|^/collections$|^/collections/({_collection})(/|$)")

pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_ogcapi_answers_as_its_openapi_says(case):
    case.call_and_validate()
