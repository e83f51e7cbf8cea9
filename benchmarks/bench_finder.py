"""How long the place finder takes: start-up (gazetteer load, rules, one trie per document)
and then finding every place in all five documents. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_finder.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from geo.candidates import find_candidates
from geo.corpus import default_corpus
from geo.finder import _default_rules, find_places, matcher
from geo.gazetteer import default_gazetteer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    t0 = time.perf_counter()
    corpus = default_corpus()
    texts = [(meta.id, meta.text()) for meta in corpus]
    t1 = time.perf_counter()
    gazetteer = default_gazetteer()
    t2 = time.perf_counter()
    _default_rules()
    t3 = time.perf_counter()
    for plan_id, _ in texts:
        matcher(None, plan_id)
    t4 = time.perf_counter()

    runs: list[float] = []
    mentions = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        mentions = sum(len(find_places(text, plan_id)) for plan_id, text in texts)
        runs.append(time.perf_counter() - start)

    cand_start = time.perf_counter()
    n_candidates = sum(len(find_candidates(text, plan_id)) for plan_id, text in texts)
    cand_time = time.perf_counter() - cand_start

    chars = sum(len(t) for _, t in texts)
    names = sum(1 for p in gazetteer for _ in p.names())
    print(f"corpus: {len(texts)} documents, {chars} characters")
    print(f"gazetteer: {len(gazetteer)} places, {names} unscoped names and aliases")
    print("start-up:")
    print(f"  read corpus            {1000 * (t1 - t0):8.1f} ms")
    print(f"  load gazetteer         {1000 * (t2 - t1):8.1f} ms")
    print(f"  load finder rules      {1000 * (t3 - t2):8.1f} ms")
    print(f"  build 5 tries          {1000 * (t4 - t3):8.1f} ms")
    print(f"find places in all {len(texts)} documents ({mentions} mentions), {args.repeat} runs:")
    print(f"  median                 {1000 * statistics.median(runs):8.1f} ms")
    print(f"  min / max              {1000 * min(runs):8.1f} / {1000 * max(runs):.1f} ms")
    print(f"  throughput             {chars / statistics.median(runs) / 1e6:8.2f} M chars/s")
    print(f"unresolved candidates in all documents ({n_candidates}): {1000 * cand_time:.1f} ms")


if __name__ == "__main__":
    main()
