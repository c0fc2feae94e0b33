"""Import throughput against fitparse alone and fitfast alone, measured in the same run.

Generates (once, cached in .bench/) realistic one-hour runs with per-second records using
garmin-fit-sdk's Encoder. Interleaved rounds (bench/stable.py) time: fitparse decoding every
message of a sample; fitfast decoding every message (`fitfast.parse`, one process); our
import (`stridelift import`'s code path into a fresh SQLite home, made outside the clock and
removed at the end: decode, normalise, store) on all files with its worker processes, and on the
fitfast sample with one worker process. Ratios are per MB, medians of the per-round ratios
with their min-max. Our overhead is the one-worker import's time over fitfast's own decode of
the same files (the main process stores while the worker decodes the next files). One untimed
round of every candidate comes first (bench/stable.py), so that no first timed round pays for
cold caches, first imports or the generated files' first read. The last
line is one JSON object: files, mb_per_s, ratio (import / fitparse throughput), overhead
(share of fitfast's decode time), cpu_overhead. Goals: ratio >= 30, cpu_overhead <= 0.5 (on
the generated runs, as the wall-time overhead was before). cpu_overhead is the same
comparison in CPU time, main process and worker together: steady under load, and the
whole of our own work (in wall time the main process's part overlaps the worker's), also
split into the worker's part (cpu_worker_overhead) and the main process's (cpu_main_share).
The generated runs are lean (6 fields a record); real watches write 10-20, which makes
fitfast's decode dearer while our work per record stays (we read 6 fields either way). So where
../shared/fixtures is present both overheads are also measured, the same way, on its real
activity files that fitfast reads (real_overhead, real_cpu_overhead, real_cpu_worker_overhead,
real_cpu_main_share). On those few files the main process stores on the other core nearly all
the while the worker decodes, so their wall-time overhead hides most of our work: their CPU
figure is the one to read there too.

    python bench/import_fit.py [--files 200] [--baseline-files 8] [--overhead-files 200]
                                [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import fitfast  # noqa: E402
import fitparse  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench.stable import WARMUP, Ratio, interleaved, nothing  # noqa: E402
from db.raw import RawStore  # noqa: E402
from db.session import open_db  # noqa: E402
from demo.fitwrite import easy_hour  # noqa: E402
from domain.profile import Profile  # noqa: E402
from ingest import bulk, fit  # noqa: E402
from ingest.fit_crc import for_fitfast  # noqa: E402

CACHE = ROOT / ".bench" / "import_fit"
SHARED_FIT = ROOT.parent / "shared" / "fixtures" / "fit"
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


def real_files() -> list[Path]:
    """The real activity files of ../shared/fixtures that fitfast reads ([] when absent):
    devices of many makers, records with their full set of fields."""
    if not SHARED_FIT.is_dir():
        return []
    return [path for path in sorted(SHARED_FIT.rglob("*.fit")) if _fitfast_activity(path)]


def _fitfast_activity(path: Path) -> bool:
    try:
        return bool(fit.decode(path.read_bytes(), path.name, backend="fitfast"))
    except fit.FitError:
        return False


def fitparse_only(files: list[Path]) -> None:
    """fitparse decoding every message of every file (the baseline)."""
    for path in files:
        for message in fitparse.FitFile(str(path)).get_messages():
            message.get_values()


def fitfast_only(files: list[Path]) -> None:
    """fitfast's own decode of every message of every file, one process: the decoder alone,
    what our import adds its work to. A file whose header CRC is 0 is handed over restated
    as our import hands it (`fit_crc.for_fitfast`: fitfast refuses it as it is; about 4 µs
    a file, against milliseconds of decoding)."""
    for path in files:
        fitfast.parse(for_fitfast(path.read_bytes()))


@dataclass(frozen=True)
class FreshHome:
    """An empty database and raw store, made outside the clock: creating and migrating a new
    database is a home's set-up, not part of importing files."""

    db: sessionmaker[Session]
    raw: RawStore


def fresh_home(parent: Path) -> FreshHome:
    """A new home in `parent`; the earlier rounds' stay until the run ends (`parent` removed
    then). Removed just before an import, as before, their deletion was paid inside the
    clock: on a file system without a journal (this machine's), ext4 passes over every inode
    freed in the last ~30 s when it makes a file or folder (`recently_deleted`, reading each
    from the inode table), and the import makes ~340 (200 objects, ~140 of their folders):
    16 % of the importing process's CPU in a profile (perf) of imports each after such a
    removal, under 1 % with the homes kept.
    fitfast's side makes no file, so it never paid."""
    folder = Path(tempfile.mkdtemp(dir=parent))
    return FreshHome(open_db(f"sqlite:///{folder}/bench.db"), RawStore(folder / "raw"))


def import_all(files: list[Path], home: FreshHome, workers: int | None = None) -> None:
    """`stridelift import` into a fresh home: decode, normalise, store (raw, journal, SQLite).
    Every file lands, but a copy of another's recording (the real fixtures hold a few),
    decoded and matched as the import does, then not stored again."""
    report = bulk.import_paths(home.db, home.raw, PROFILE, files, workers=workers)
    if report.imported + len(report.same_recording) != len(files):
        raise SystemExit(f"imported {report.imported} of {len(files)}: {report.failed[:3]}")


def cpu_timed(into: list[tuple[float, float]],
              work: Callable[[Any], None]) -> Callable[[Any], None]:
    """`work`, also noting the CPU seconds it took in `into`: this process's (all its
    threads), and its children's (an import's worker processes, counted once they end)."""
    def run(given: Any) -> None:
        before = cpu_seconds()
        work(given)
        after = cpu_seconds()
        into.append((after[0] - before[0], after[1] - before[1]))
    return run


def cpu_seconds() -> tuple[float, float]:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class CpuOverhead:
    """Our import's CPU time over fitfast's own decode of the same files, round by round:
    main process and worker together (all our own work, wherever it ran; in wall time the
    main process's part overlaps the worker's), and its two parts: the worker's (decode,
    normalise, pack) and the main process's (read, hash, store)."""

    total: Ratio
    worker: Ratio
    main: Ratio

    @classmethod
    def of(cls, ours: list[tuple[float, float]], fitfast: list[tuple[float, float]]
           ) -> CpuOverhead:
        """`ours` and `fitfast`: (this process's, its children's) CPU seconds per round."""
        decode = [main + children for main, children in fitfast]
        pairs = list(zip(ours, decode, strict=True))
        return cls(Ratio.of([(main + worker) / f - 1 for (main, worker), f in pairs]),
                   Ratio.of([worker / f - 1 for (_, worker), f in pairs]),
                   Ratio.of([main / f for (main, _), f in pairs]))

    def print(self) -> None:
        print(f"  our CPU on fitfast's  : {self.total.median:.0%} more (min {self.total.low:.0%}, "
              f"max {self.total.high:.0%}; CPU time, main process and worker together)")
        print(f"    the worker's part   : {self.worker.median:.0%} more than fitfast's (decode, "
              f"normalise, pack); the main process's: {self.main.median:.0%} of it (read, "
              "hash, store)")

    def as_json(self, key: str) -> dict[str, float]:
        return {**self.total.as_json(f"{key}_overhead"),
                f"{key}_worker_overhead": round(self.worker.median, 2),
                f"{key}_main_share": round(self.main.median, 2)}


def megabytes(files: list[Path]) -> float:
    return sum(f.stat().st_size for f in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--baseline-files", type=int, default=8,
                        help="files decoded by fitparse (it is slow; throughput is per MB)")
    parser.add_argument("--overhead-files", type=int, default=200,
                        help="files imported with one worker, against fitfast alone (an "
                             "import's start and end, ~25 ms together, weigh less on more files)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = ensure_files(args.files)
    sets = {"ours": files, "ours_one_process": files[: args.overhead_files],
            "fitfast": files[: args.overhead_files], "fitparse": files[: args.baseline_files]}
    real = real_files()
    if real:
        sets |= {"fitfast_real": real, "ours_real": real}
    mb = {name: megabytes(chosen) for name, chosen in sets.items()}
    with tempfile.TemporaryDirectory() as tmp:
        homes = Path(tmp)
        cpu: dict[str, list[tuple[float, float]]] = {
            name: [] for name in ("fitfast", "ours_one_process", "fitfast_real", "ours_real")}
        candidates = {
            "fitparse": (lambda _: fitparse_only(sets["fitparse"]), nothing),
            "fitfast": (cpu_timed(cpu["fitfast"], lambda _: fitfast_only(sets["fitfast"])),
                        nothing),
            "ours": (lambda home: import_all(sets["ours"], home), lambda: fresh_home(homes)),
            "ours_one_process": (cpu_timed(cpu["ours_one_process"], lambda home: import_all(
                sets["ours_one_process"], home, workers=1)), lambda: fresh_home(homes)),
        }
        if real:
            candidates |= {
                "fitfast_real": (cpu_timed(cpu["fitfast_real"], lambda _: fitfast_only(real)),
                                 nothing),
                "ours_real": (cpu_timed(cpu["ours_real"], lambda home: import_all(
                    real, home, workers=1)), lambda: fresh_home(homes))}
        timed = interleaved(candidates, args.rounds)  # after a warm-up round, untimed
    cpu = {name: rounds[WARMUP:] for name, rounds in cpu.items()}  # the timed rounds'
    # seconds per MB, round by round: throughput ratios are ratios of these
    per_mb = {name: [s / mb[name] for s in timed.seconds[name]] for name in sets}
    ratio = Ratio.of([p / o for p, o in zip(per_mb["fitparse"], per_mb["ours"], strict=True)])
    fitfast_ratio = Ratio.of([p / f for p, f in zip(per_mb["fitparse"], per_mb["fitfast"],
                                                     strict=True)])
    overhead = Ratio.of([o / f - 1 for o, f in zip(per_mb["ours_one_process"], per_mb["fitfast"],
                                                   strict=True)])
    generated_cpu = CpuOverhead.of(cpu["ours_one_process"], cpu["fitfast"])
    real_cpu = CpuOverhead.of(cpu["ours_real"], cpu["fitfast_real"]) if real else None
    real_overhead = Ratio.of([o / f - 1 for o, f in zip(
        timed.seconds["ours_real"], timed.seconds["fitfast_real"], strict=True)]) if real else None
    speed = {name: mb[name] / timed.median(name) for name in sets}
    for name, label in (("fitparse", "fitparse alone"), ("fitfast", "fitfast alone"),
                        ("ours_one_process", "ours, one worker"),
                        ("ours", f"ours, {os.cpu_count()} cores")):
        print(f"{label:20}: {len(sets[name]):4} files, {mb[name]:5.1f} MB in "
              f"{timed.median(name):6.2f} s ({speed[name]:6.3f} MB/s)")
    print(f"import vs fitparse      : {ratio}")
    print(f"fitfast vs fitparse     : {fitfast_ratio} (the decoder's own ceiling)")
    print(f"our overhead on fitfast : {overhead.median:.0%} of its decode time "
          f"(min {overhead.low:.0%}, max {overhead.high:.0%}; one decoding process each)")
    generated_cpu.print()
    if real_overhead is not None and real_cpu is not None:
        print(f"... on real files       : {real_overhead.median:.0%} of its decode time "
              f"(min {real_overhead.low:.0%}, max {real_overhead.high:.0%}; {len(real)} "
              f"activity files, {mb['ours_real']:.1f} MB, from {SHARED_FIT})")
        real_cpu.print()
    print(f"(median of {args.rounds} interleaved rounds)")
    print(json.dumps({"files": len(files), "mb_per_s": round(speed["ours"], 3),
                      "fitfast_mb_per_s": round(speed["fitfast"], 3),
                      "one_process_mb_per_s": round(speed["ours_one_process"], 3),
                      "baseline_mb_per_s": round(speed["fitparse"], 4),
                      **ratio.as_json("ratio"), **overhead.as_json("overhead"),
                      **generated_cpu.as_json("cpu"),
                      **(real_overhead.as_json("real_overhead") if real_overhead else {}),
                      **(real_cpu.as_json("real_cpu") if real_cpu else {}),
                      "rounds": args.rounds}))


if __name__ == "__main__":
    main()
