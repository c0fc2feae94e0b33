"""Data the athlete brings: FIT files and Garmin's export imported in bulk, a FIT file read
for its runs, and the database rebuilt offline from the raw payloads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from domain.activity import Activity
from domain.profile import Profile
from ingest import bulk, export, fit
from ingest.bulk import ImportReport, Progress
from ingest.decoders import WorkersDied as WorkersDied  # the shell's exit codes
from ingest.fit import FitError as FitError  # the shell's exit codes
from ingest.rebuild import RebuildError as RebuildError
from ingest.rebuild import rebuild
from jobs.athlete_lock import athlete_lock
from jobs.clock import latest_start
from jobs.home import Home


def import_files(home: Home, profile: Profile, paths: list[Path], *, workers: int | None,
                 progress: Progress | None = None) -> ImportReport:
    """Import .fit files, folders and zips (Garmin's export) into the home; Busy while a
    nightly run or another import for the athlete holds its lock."""
    with athlete_lock(home, profile.name, "import"):
        return bulk.import_paths(home.db, home.raw, profile, paths, workers=workers,
                                 progress=progress, not_after=latest_start())


def rebuild_athlete(home: Home, profile: Profile,
                    progress: Callable[[int, int], None] | None = None) -> Counter[str]:
    """Recreate the athlete's activities and wellness days from the raw payloads, told as
    `progress(entries done, entries)`; Busy while another run for the athlete holds its
    lock (a nightly run writing while the rows are recreated would be lost or doubled). A
    database file gone is made anew here: the raw store fills it."""
    with athlete_lock(home, profile.name, "rebuild"):
        return rebuild(home.open_db(anew=True), home.raw, profile, progress)


@dataclass(frozen=True)
class GivenFit:
    """A FIT file a command was given: named itself, or found in a folder or zip named."""

    label: str  # the path, or the zip's path and the member's name
    named: bool
    found: export.Found

    def read(self) -> bytes:
        """Its bytes (inflated from a zip or gzip); FitError naming it when unreadable."""
        data, why = export.payload(self.found)
        if data is None:
            raise FitError(self.label, why)
        return data


def given_fits(paths: list[Path]) -> Iterator[GivenFit]:
    """The FIT files in `paths` as `import` finds them (a .fit or .fit.gz file, a folder's or
    a zip's, read within the same limits), for a command that reads them without storing
    them; each is to be read before the next is asked for (a zip is open meanwhile). FitError,
    before any file is given, for a path named that cannot be read, or a folder or zip
    holding none."""
    walks = []
    for path in paths:
        walk = export.walk([path])
        first = next(walk, None)
        if first is None:
            raise FitError(str(path), "holds no FIT file (.fit, .fit.gz or a zip of them)")
        if first.label == str(path) and first.error is not None:
            raise FitError(first.label, first.error)
        walks.append((path, chain([first], walk)))
    for path, walk in walks:
        yield from (GivenFit(one.label, one.label == str(path), one) for one in walk)


def activities_in_fit(data: bytes, label: str) -> list[Activity]:
    """Every activity (each leg of a multisport file) a FIT file holds; FitError when it cannot
    be read. For a command decoding the files it was given (see fit.quiet_decoder)."""
    with fit.quiet_decoder():
        return fit.decode(data, label)
