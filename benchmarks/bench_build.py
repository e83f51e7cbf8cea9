"""How long `planmap build` takes cold and warm, and how long and how big each export format is
for --all, in each coordinate system. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_build.py [--crs EPSG:4326 ...] [--repeat N]

The cold build runs in a fresh process (imports, reader, finder, gazetteer, writing); the warm
one is a second run over unchanged inputs, which only hashes them and reuses the output.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "webmap.cli", *args], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--crs", action="append", default=None,
                        help="CRS to export in (repeatable; default: all of them)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()

    from geo.crs_names import CRSES
    from layers.export import FORMATS, export, export_crs
    from layers.store import LayerStore, default_store

    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        tmpdir = Path(tmp)
        env = {**os.environ, "PLANMAP_BUILD": str(tmpdir / "build")}
        cold = [_run(["build", "--quiet", "--force", "--out", str(tmpdir / "layers")], env)
                for _ in range(args.repeat)]
        warm = [_run(["build", "--quiet", "--out", str(tmpdir / "layers")], env)
                for _ in range(args.repeat)]
        size = sum(f.stat().st_size for f in (tmpdir / "layers").iterdir())
        print(f"build (process incl. imports): cold {statistics.median(cold):.2f} s, "
              f"warm (reused) {statistics.median(warm):.2f} s; output {_human(size)}")

        start = time.perf_counter()
        LayerStore()
        print(f"LayerStore() in process: {time.perf_counter() - start:.2f} s")
        store = default_store()
        s = store.stats
        features = sum(len(store.features(lid)) for lid in store.layer_ids())
        print(f"{len(store.layers)} layers, {features} features; {s['located']} of "
              f"{s['places']} places located, {s['unlocated']} unlocated; "
              f"{s['mentions']} mentions")
        print()
        print(f"{'format':8} {'crs':10} {'seconds':>8} {'size':>10}")
        for crs in [export_crs(c) for c in args.crs] if args.crs else CRSES:
            for fmt in FORMATS.values():
                if fmt.style_only and not fmt.listed(crs):
                    continue  # a style is the same in every CRS
                if not fmt.offers(crs):
                    print(f"{fmt.id:8} {crs.id:10} {'refused':>8}  ({fmt.refusal})")
                    continue
                zipped = not fmt.multi_layer or fmt.extension == ".zip" or fmt.table_files
                name = "all.zip" if zipped else f"all{fmt.extension}"
                path = tmpdir / "exports" / crs.param / fmt.id / name
                path.parent.mkdir(parents=True, exist_ok=True)
                runs = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    result = export(store, store.layer_ids(), fmt, crs, path)
                    runs.append(time.perf_counter() - start)
                print(f"{fmt.id:8} {crs.id:10} {statistics.median(runs):8.2f} "
                      f"{_human(result.size):>10}")


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)  # GDAL notes on long text; figures only
    main()
