"""`planmap mentions --unresolved` on large inputs: is the candidate scan linear?

    .venv/bin/python benchmarks/bench_mentions.py [--sizes 4,16,50]

Writes the five plan texts repeated to each size (MB) into a temporary folder and times the
command end to end (`planmap mentions FILE --unresolved`, a new process each, so the gazetteer
load is included). Before issue 14 the scan compared every candidate with every mention: 15 s on
4 MB, 110 s on 16 MB and more than 600 s on 50 MB.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="4,16,50", help="sizes in MB, comma-separated")
    args = parser.parse_args()
    corpus = "\n".join(p.read_text(encoding="utf-8")
                       for p in sorted((ROOT / "data" / "plans").glob("*.txt")))
    planmap = str(Path(sys.executable).with_name("planmap"))
    print("| input | seconds | candidates |")
    print("| --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (float(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"{mb:g}mb.txt"
            copies = math.ceil(mb * 1e6 / len(corpus.encode("utf-8")))
            path.write_text((corpus + "\n") * copies, encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run([planmap, "mentions", str(path), "--unresolved"],
                                  capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - started
            size = path.stat().st_size / 1e6
            print(f"| {size:.1f} MB | {seconds:.1f} | {done.stderr.split()[0]} |")


if __name__ == "__main__":
    main()
