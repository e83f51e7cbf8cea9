"""How long adding a 100-page plan takes, end to end (prints figures; not a test).

Run: `.venv/bin/python benchmarks/bench_intake.py [--pages N] [--keep DIR]`.

The PDF is written here, as the tests write theirs (tests/plan_documents.py: fpdf2 with the
Debian font fonts-wqy-microhei; title, headings by font size only, body text naming known and
unknown places, running heads and page numbers), so no document is copied from elsewhere. A
fresh SQLite database is made with `planmap db upgrade`, and a server's store (the data files'
plans, DatabaseStore) is built before the clock starts, as on a running service. Then:

1. `planmap plans add FILE --database URL` in its own process, wall time: start-up, reading
   the PDF (PDFium text and font sizes, outline, pages), the reader's check, storing the file
   and the plan, approving it;
2. the server's store rebuilding with the plan (every plan read or reused, the finder over the
   new one, mentions, layers, search answers), and answering the new plan's layer and a place
   page's passages.

The issue asks for under 30 s for the sum on this machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test documents' writer

from plan_documents import PDF_TITLE, plan_pdf  # noqa: E402

from geo.importers import import_document  # noqa: E402
from layers.db.engine import Database  # noqa: E402
from layers.db.store import DatabaseStore  # noqa: E402
from layers.store import LayerStore  # noqa: E402

PLANMAP = [sys.executable, "-m", "webmap.cli"]
LIMIT_S = 30.0


def long_pdf(pages: int) -> bytes:
    """A plan of exactly `pages` pages: the test plan's body run again and again."""
    data = plan_pdf(repeat=pages, pages=pages)
    got = import_document(data, "long.pdf").pages
    if got != pages:
        raise SystemExit(f"the generated PDF has {got} pages, not {pages}")
    return data


def run(argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([*PLANMAP, *argv], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"planmap {' '.join(argv)} failed ({proc.returncode}): "
                         f"{proc.stderr.strip()}")
    return seconds, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100, help="pages of the plan (100)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the PDF and the database in this folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        t = time.perf_counter()
        pdf = folder / "plan-100.pdf"
        pdf.write_bytes(long_pdf(args.pages))
        written = time.perf_counter() - t
        print(f"PDF written: {args.pages} pages, {pdf.stat().st_size / 1e6:.2f} MB "
              f"({written:.1f} s, not counted)")
        url = f"sqlite:///{folder / 'planmap.sqlite'}"
        run(["db", "upgrade", "--database", url])
        db = Database(url)
        base = LayerStore()
        store = DatabaseStore(db, base, background=False)
        before = len(list(store.current().plans()))

        t = time.perf_counter()
        read = import_document(pdf.read_bytes(), pdf.name)
        read_s = time.perf_counter() - t
        print(f"read alone (in this process, for reference): {read_s:.2f} s, "
              f"{len(read.text)} characters")

        add_s, out = run(["plans", "add", str(pdf), "--database", url])
        plan_id = out.split()[2]
        print(f"planmap plans add (own process, wall): {add_s:.2f} s -> {out.strip()[:90]}")

        t = time.perf_counter()
        assert store.refresh(), "the store did not rebuild"
        current = store.current()
        layer = current.layer(f"plan-{plan_id}")
        features = current.features(layer.id)
        passages = [p for p in current.place_record("beiqinglu")["passages"]
                    if p["plan_id"] == plan_id]
        rebuild_s = time.perf_counter() - t
        plans = list(current.plans())
        assert len(plans) == before + 1 and plans[-1].id == plan_id
        document = current.plan_document(plan_id)
        print(f"rebuild of the server's store, the plan's layer and a place page: "
              f"{rebuild_s:.2f} s ({len(plans)} plans; the new one: "
              f"{len(document.paragraphs)} paragraphs, {len(features)} places on its layer, "
              f"{len(passages)} passages on 北清路's page)")
        total = add_s + rebuild_s
        verdict = "under" if total < LIMIT_S else "OVER"
        print(f"adding a {args.pages}-page plan end to end: {total:.1f} s "
              f"({verdict} the {LIMIT_S:.0f} s asked for) — 《{PDF_TITLE}》 ×{args.pages} pages")
        store.close()
        db.dispose()
    finally:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            for item in folder.iterdir():
                shutil.copy2(item, args.keep / item.name)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
