"""Score the finder and the unknown-name detector on the evaluation sets (tests/eval/set*/).

Prints the three figures per set (known-place recall, recall with candidates, candidate
precision) and what was missed; `--json FILE` also writes the figures, counts and misses with the
commit they were measured on (written to a temporary file, then renamed).

    .venv/bin/python benchmarks/eval_finder.py [--set set1] [--json FILE] [--quiet]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import tempfile
from pathlib import Path

from geo.evaluation import score_set

EVAL = Path(__file__).resolve().parent.parent / "tests" / "eval"


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                         cwd=EVAL, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", ":/data", ":/geo"],
                           capture_output=True, text=True, cwd=EVAL, check=False)
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", action="append", dest="sets",
                        help="a folder name under tests/eval (default: every set)")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses")
    args = parser.parse_args()
    folders = ([EVAL / s for s in args.sets] if args.sets
               else sorted(EVAL.glob("set*/")))
    records = []
    for folder in folders:
        result = score_set(folder)
        print(result.summary())
        if not args.quiet:
            for t in result.texts:
                for m in t.missed:
                    print(f"  {t.text_id}: missed {m}")
                for c in t.wrong_candidates:
                    print(f"  {t.text_id}: candidate not in gold {c}")
        records.append(result.as_record())
    if args.json:
        doc = {"measured": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
               "commit": _commit(), "sets": records}
        fd, tmp = tempfile.mkstemp(dir=args.json.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
