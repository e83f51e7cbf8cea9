"""Project-wide test settings.

Fixtures for each area live beside their tests; this file holds what every area needs: a
headless matplotlib backend, a build directory that never touches the checkout's `build/`, and
the Flask `app`/`client` pair.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"
# Databases for the tests that need one (SQLite, and a PostgreSQL cluster started on demand).
pytest_plugins = ["db_fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    ARTIFACTS.mkdir(exist_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that drives chromium must say so, or `make test-fast` would start a browser."""
    unmarked = [item.nodeid for item in items
                if {"browser", "page"} & set(getattr(item, "fixturenames", ()))
                and item.get_closest_marker("browser") is None]
    if unmarked:
        raise pytest.UsageError(f"tests using chromium without @pytest.mark.browser: {unmarked}")


@pytest.fixture(scope="session", autouse=True)
def _isolated_build_dir(tmp_path_factory: pytest.TempPathFactory):
    """Tests build layers into a temporary directory, not the developer's `build/`."""
    previous = os.environ.get("PLANMAP_BUILD")
    os.environ["PLANMAP_BUILD"] = str(tmp_path_factory.mktemp("build"))
    yield
    if previous is None:
        os.environ.pop("PLANMAP_BUILD", None)
    else:
        os.environ["PLANMAP_BUILD"] = previous


@pytest.fixture(scope="session", autouse=True)
def _no_embedded_database():
    """Apps made by tests run on the file store unless a test names a database: the embedded
    default would create planmap.sqlite in the checkout's instance folder, and a developer's
    own PLANMAP_DATABASE_URL must never receive test writes."""
    previous = os.environ.get("PLANMAP_DATABASE_URL")
    os.environ["PLANMAP_DATABASE_URL"] = "none"
    yield
    if previous is None:
        os.environ.pop("PLANMAP_DATABASE_URL", None)
    else:
        os.environ["PLANMAP_DATABASE_URL"] = previous


@pytest.fixture(scope="module")
def app():
    """The service on the embedded data, as the Flask tutorial's fixture: a page that would load
    anything from another host raises instead of being quietly stripped. Modules that need
    another store or settings define their own `app`."""
    from webmap import create_app

    return create_app({"OFFLINE_ASSETS": "raise", "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and rendered figures kept for a person to look at after the run."""
    return ARTIFACTS
