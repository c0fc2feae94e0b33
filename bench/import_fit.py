"""Import throughput against fitparse alone, measured in the same run.

Generates (once, cached in .bench/) realistic one-hour runs with per-second records using
garmin-fit-sdk's Encoder, imports them into a fresh SQLite home with `stridelift import`'s
code path, and decodes a sample of the same files with fitparse alone. The last line is one
JSON object: files, mb_per_s (import) and ratio (import throughput / fitparse throughput).
Goal: ratio >= 20 on a 2-core machine.

    python bench/import_fit.py [--files 200] [--baseline-files 30]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import fitparse  # noqa: E402

from db.raw import RawStore  # noqa: E402
from db.session import open_db  # noqa: E402
from demo.fitwrite import easy_hour  # noqa: E402
from domain.profile import Profile  # noqa: E402
from ingest import bulk  # noqa: E402

CACHE = ROOT / ".bench" / "import_fit"
PROFILE = Profile(name="bench", tz="Europe/Berlin", sex="m", max_hr=190, rest_hr=50,
                  runs={"sat": "long"})


def ensure_files(n: int) -> list[Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    files = [CACHE / f"run-{i:04d}.fit" for i in range(n)]
    missing = [(i, f) for i, f in enumerate(files) if not f.exists()]
    if missing:
        print(f"generating {len(missing)} one-hour runs into {CACHE} (once)", file=sys.stderr)
    for i, path in missing:
        path.write_bytes(easy_hour(start + timedelta(days=i), seed=i))
    return files


def fitparse_only(files: list[Path]) -> float:
    """Seconds for fitparse to decode every message of every file (the baseline)."""
    began = time.perf_counter()
    for path in files:
        for message in fitparse.FitFile(str(path)).get_messages():
            message.get_values()
    return time.perf_counter() - began


def import_all(files: list[Path]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(f"sqlite:///{tmp}/bench.db")
        began = time.perf_counter()
        report = bulk.import_paths(db, RawStore(Path(tmp) / "raw"), PROFILE, files)
        seconds = time.perf_counter() - began
    if report.imported != len(files):
        raise SystemExit(f"imported {report.imported} of {len(files)}: {report.failed[:3]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--baseline-files", type=int, default=30,
                        help="files decoded by fitparse (it is slow; throughput is per MB)")
    args = parser.parse_args()
    files = ensure_files(args.files)
    sample = files[: args.baseline_files]
    mb_all = sum(f.stat().st_size for f in files) / 1e6
    mb_sample = sum(f.stat().st_size for f in sample) / 1e6
    ours = import_all(files)
    base = fitparse_only(sample)
    ours_tp, base_tp = mb_all / ours, mb_sample / base
    print(f"import   : {len(files)} files, {mb_all:.1f} MB in {ours:.2f} s "
          f"({ours_tp:.2f} MB/s, {os.cpu_count()} cores)")
    print(f"fitparse : {len(sample)} files, {mb_sample:.1f} MB in {base:.2f} s "
          f"({base_tp:.3f} MB/s)")
    print(json.dumps({"files": len(files), "mb_per_s": round(ours_tp, 3),
                      "baseline_mb_per_s": round(base_tp, 4),
                      "ratio": round(ours_tp / base_tp, 1)}))


if __name__ == "__main__":
    main()
