"""Classification on the real FIT files in ../shared/fixtures/fit: every running file gets a
kind, traits and reasons, and the agreement with Garmin's own verdict is printed after the
run (tests/conftest.py's terminal summary, with or without -s or xdist).

FIT files carry no `trainingEffectLabel` (that is Garmin Connect's JSON), so the table sets
our kind beside the label where the decoder found one, else beside the aerobic training
effect Garmin computed on the watch. Agreement is not asserted beyond a floor: no run whose
aerobic TE is below 2.0 (Garmin's "minor/recovery" band) may come out as a speed session,
the mistake issue 11 was filed for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.classify import classify, label_kind
from analysis.load import activity_load
from analysis.multisport import multisport_race
from analysis.traits import Found
from domain.activity import Activity
from domain.run import RUN_KINDS
from ingest import fit
from ingest.fit import FitError

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "fit"
if not FIXTURES.is_dir():
    pytest.skip(f"{FIXTURES} is absent (shared fixtures ship beside the repo, not in it)",
                allow_module_level=True)

from analysis.zones import file_profile  # noqa: E402

SLOW_BYTES = 1_000_000
MINOR_TE = 2.0


def _runs() -> list[tuple[str, Activity, tuple[Found, ...]]]:
    """Each running leg with the race trait its file gives it (a triathlon), as `classify`
    on the command line judges it."""
    out: list[tuple[str, Activity, tuple[Found, ...]]] = []
    for path in sorted(FIXTURES.rglob("*.fit")):
        if path.stat().st_size > SLOW_BYTES:
            continue
        try:
            acts = fit.decode(path.read_bytes(), path.name)
        except FitError:
            continue
        race = multisport_race(acts)
        out += [(path.relative_to(FIXTURES).as_posix(), a, (race,) if race else ())
                for a in acts if a.is_run]
    return out


def test_every_running_fixture_gets_a_kind_traits_and_reasons(
        record_property: Callable[[str, object], None]) -> None:
    runs = _runs()
    assert runs, "the fixtures hold running files"
    rows, agree, compared = [], 0, 0
    for name, a, extra in runs:
        profile, _zones_note = file_profile([a])
        c = classify(a, profile, [], extra)
        assert c.kind in RUN_KINDS and c.reasons and all(c.reasons)
        garmin = label_kind(a.te_label) or (f"TE {a.aerobic_te:.1f}" if a.aerobic_te else "-")
        if a.aerobic_te is not None and a.aerobic_te < MINOR_TE and a.aerobic_te > 0:
            assert c.kind != "speed", (name, c.reasons)
        if label_kind(a.te_label):
            compared += 1
            agree += label_kind(a.te_label) == c.kind
        rows.append(f"{name[:44]:<44} {a.duration_s / 60:6.0f} {c.kind:<9} "
                    f"{','.join(c.traits) or '-':<16} {garmin:<10} {c.reasons[0][:60]}")
    head = f"{'file':<44} {'min':>6} {'kind':<9} {'traits':<16} {'Garmin':<10} reason"
    record_property("table", "\n".join([head, *rows, f"agreement with Garmin's label: {agree} "
                                         f"of {compared} files that carry one"]))


def test_a_yoga_file_with_its_poses_as_sets_is_no_strength_session() -> None:
    """Garmin's yoga records each pose as a timed set (no reps, no load): it was classified
    strength and its load went to the strength series, as lifting would."""
    [yoga] = fit.decode((FIXTURES / "python-garminconnect" / "12129115726_ACTIVITY.fit")
                        .read_bytes(), "yoga.fit")
    assert (yoga.sport, yoga.sub_sport, len(yoga.sets)) == ("training", "yoga", 3)
    profile, _zones_note = file_profile([yoga])
    c = classify(yoga, profile, [], ())
    assert c.kind == "other", c.reasons
    assert activity_load(yoga, profile).series == "endurance"
