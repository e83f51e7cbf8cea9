"""How long the reader takes to read every plan in the corpus (prints figures; not a test).

Run: `.venv/bin/python benchmarks/bench_reader.py [--repeat N]`. The first read includes Python's
regex compilation and file I/O; later reads are what a long-running service pays on reload.
"""

from __future__ import annotations

import argparse
import statistics
import time

from geo.corpus import load_corpus
from geo.reader import read_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="timed reads of the whole corpus")
    args = parser.parse_args()
    corpus = load_corpus()

    t0 = time.perf_counter()
    docs = [read_plan(meta) for meta in corpus]
    first = time.perf_counter() - t0

    per_plan: dict[str, list[float]] = {m.id: [] for m in corpus}
    totals: list[float] = []
    for _ in range(args.repeat):
        t_all = time.perf_counter()
        for meta in corpus:
            t = time.perf_counter()
            read_plan(meta)
            per_plan[meta.id].append(time.perf_counter() - t)
        totals.append(time.perf_counter() - t_all)

    chars = sum(len(d.text) for d in docs)
    paragraphs = sum(len(d.paragraphs) for d in docs)
    print(f"corpus: {len(docs)} plans, {paragraphs} paragraphs, {chars} characters")
    print(f"first read of all plans: {first * 1000:.1f} ms")
    med = statistics.median(totals)
    print(f"read all plans, median of {args.repeat}: {med * 1000:.1f} ms "
          f"(min {min(totals) * 1000:.1f}, max {max(totals) * 1000:.1f}); "
          f"{chars / med / 1e6:.2f} M characters/s")
    for doc in docs:
        times = per_plan[doc.plan_id]
        print(f"  {doc.plan_id:34s} {len(doc.text):6d} chars {len(doc.paragraphs):4d} paragraphs "
              f"{statistics.median(times) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
