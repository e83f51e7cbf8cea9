"""Run the PyPI suite `ogctests` (core) against planmap's OGC API over every collection.

ogctests is kept out of planmap's environment (it pulls pyarrow and pins its own pytest); give
the interpreter of a venv that has it:

    python3 -m venv /tmp/ogctests && /tmp/ogctests/bin/pip install ogctests==0.1.15
    .venv/bin/python scripts/run_ogctests.py /tmp/ogctests/bin/python

The service runs in a child process over the real layers (tests/ogcapi_fixtures.py); ogctests
looks at its first 20 collections unless told otherwise, so a plugin raises that to all of
them. Its report (with skip reasons, -rs) is printed as pytest prints it; docs/ogcapi.md
explains what it skips and why.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ogcapi_fixtures import server_process  # noqa: E402

# ogctests' conftest fixes `collections_limit` at 20; a conftest fixture outranks a plugin's,
# so the runner replaces it in the (already imported) conftest module before pytest reads it.
RUNNER = """
import os, sys
from pathlib import Path
import pytest
import ogctests
import ogctests.features.core.conftest as conftest

conftest.collections_limit = pytest.fixture(scope="session", name="collections_limit")(
    lambda: 100_000)
os.environ["INSTANCE_URL"] = sys.argv[1]
scope = str(Path(ogctests.__file__).parent / "features" / "core")
sys.exit(pytest.main([scope, "-q", "-rs", "-p", "no:cacheprovider"]))
"""


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: run_ogctests.py PYTHON_WITH_OGCTESTS", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "requests.log"
        with server_process("real", log) as url:
            run = subprocess.run([argv[0], "-c", RUNNER, f"{url}/ogcapi"], cwd=tmp, check=False)
        seen = set(re.findall(r"GET /ogcapi/collections/([^/?\s]+)/items", log.read_text()))
    print(f"ogctests read the items of {len(seen)} collections")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
