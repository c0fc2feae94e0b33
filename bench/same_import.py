"""Whether two checkouts import alike: every stored row, sample and classification the same.

Run it in each checkout, then compare the two dumps (a change to the import's speed must store
exactly what it stored before):

    python bench/same_import.py dump /tmp/old.pickle      # in the old checkout
    python bench/same_import.py dump /tmp/new.pickle      # in the new one
    python bench/same_import.py compare /tmp/old.pickle /tmp/new.pickle

A dump imports, each set into a fresh home, the generated one-hour runs of bench/import_fit.py
(.bench/import_fit) and every FIT file of ../shared/fixtures, classifies the runs
(jobs.analyse, up to a fixed day), then reads every row of every table in primary-key order
(stream blobs byte for byte), the journal's lines, the raw store's object
names and the import's report.
"""

from __future__ import annotations

import argparse
import pickle
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_fit import PROFILE, SHARED_FIT, ensure_files  # noqa: E402
from db.raw import RawStore  # noqa: E402
from db.session import open_db, transaction  # noqa: E402
from ingest import bulk  # noqa: E402
from jobs.analyse import analyse  # noqa: E402

UNTIL = date(2026, 12, 1)  # the day the runs are classified up to (no clock read)


def dump(files: list[Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db, raw = open_db(f"sqlite:///{folder}/same.db"), RawStore(folder / "raw")
        report = bulk.import_paths(db, raw, PROFILE, files)
        with transaction(db) as session:
            analyse(session, PROFILE, UNTIL)
        with sqlite3.connect(folder / "same.db") as con:
            tables = [name for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            rows = {name: con.execute(  # the database's own table names
                f"SELECT * FROM {name} ORDER BY rowid").fetchall() for name in tables}  # noqa: S608
        objects = sorted(path.name for path in (folder / "raw" / "objects").rglob("*"))
        journal = sorted((folder / "raw" / "journal").glob("*.jsonl"))
        return {"report": report.as_json(), "rows": rows, "objects": objects,
                "journal": [path.read_text() for path in journal]}


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The differences, one line each ([] when alike)."""
    out = []
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        if name == "rows" and a is not None and b is not None:
            for table in sorted(a.keys() | b.keys()):
                if a.get(table) != b.get(table):
                    out.append(f"table {table}: {len(a.get(table) or [])} rows before, "
                               f"{len(b.get(table) or [])} after, not the same")
        elif a != b:
            out.append(f"{name} differs")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("out", type=Path)
    both = sub.add_parser("compare")
    both.add_argument("old", type=Path)
    both.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        sets = {"generated": ensure_files(200), "fixtures": sorted(SHARED_FIT.rglob("*.fit"))}
        dumped = {name: dump(files) for name, files in sets.items()}
        for name, one in dumped.items():
            counts = {table: len(rows) for table, rows in one["rows"].items() if rows}
            print(f"{name}: {one['report']['imported']} imported, "
                  f"{len(one['report']['failed'])} failed; rows {counts}")
        args.out.write_bytes(pickle.dumps(dumped))
        return
    # dumps this script wrote
    old, new = (pickle.loads(path.read_bytes()) for path in (args.old, args.new))  # noqa: S301
    differences = [f"{name}: {line}" for name in sorted(old.keys() | new.keys())
                   for line in compare(old.get(name, {}), new.get(name, {}))]
    print("\n".join(differences) or f"the same: {', '.join(sorted(old))}")
    raise SystemExit(1 if differences else 0)


if __name__ == "__main__":
    main()
