"""Project-wide test settings.

Fixtures for each area live beside their tests; this file only sets what every test needs:
a headless matplotlib backend and a build directory that never touches the checkout's `build/`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    ARTIFACTS.mkdir(exist_ok=True)


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


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and rendered figures kept for a person to look at after the run."""
    return ARTIFACTS
