"""axe-core in the browser tests: inject the vendored copy (tests/vendor/axe-core, never served
by the app) into a page and return its serious and critical violations."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = (Path(__file__).parent / "vendor" / "axe-core" / "README.md").read_text(
    encoding="utf-8").rsplit("sha256 of axe.min.js: ", 1)[1].split()[0]
BLOCKING = ("serious", "critical")


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Violations of WCAG 2.x A/AA and best-practice rules with one of `impacts`, each as
    {id, impact, help, targets}."""
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "tests/vendor/axe-core changed"
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern (a <script> tag would be refused: the policy lists the page's own scripts only).
    page.evaluate(source.decode("utf-8") + "\n;undefined")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in impacts]
