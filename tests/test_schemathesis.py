"""Property-based run over the OGC API's own OpenAPI document (`/ogcapi/api`).

schemathesis generates requests from the document — valid and invalid parameters, odd strings,
huge numbers — and applies all its checks to each answer: no server error, a status the document
lists for the operation, a body that matches the documented schema, the documented content
type and headers. A failure is a contradiction between what the API says and what it does.
Bounded (EXAMPLES per operation, no shrinking deadline) so `make test` stays minutes long.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from webmap import create_app

EXAMPLES = 150

_app = create_app({"TESTING": False, "RATE_LIMIT_SEARCH": "", "RATE_LIMIT_RENDER": "",
                   "RATE_LIMIT_DOWNLOAD": ""})
schema = schemathesis.openapi.from_wsgi("/ogcapi/api", _app)

pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_ogcapi_answers_as_its_openapi_says(case):
    case.call_and_validate()
