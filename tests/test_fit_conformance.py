"""ingest.fit against the real FIT files in ../shared/fixtures/fit (76 files, MANIFEST.tsv):
each one decodes or raises FitError, and where both decoders read a file, their normalised
Activities agree.

Files only one decoder reads are not skipped: the test checks that "auto" then serves the
other decoder's result (or a FitError when neither reads it). What the fixtures taught:
- fitfast refused valid files whose 14-byte header carries CRC 0x0000 (allowed by the spec):
  it checks the file CRC over the data only. ingest.fit_crc restates their CRC for it, so both
  decoders read them (test_every_file_with_a_header_crc_of_0_is_read_by_fitfast).
- fitfast expands speed into enhanced_speed with float truncation (8.024 → 8.023) and does not
  expand compressed_speed_distance; fitparse's get_values() lets a None from an invalid
  component overwrite a real field. The normaliser absorbs all three (see ingest/fit.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import fitfast
import numpy as np
import pytest
from garmin_fit_sdk import CrcCalculator

from domain.activity import Activity
from ingest import fit, fit_normalise
from ingest.fit import FitError

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "fit"
if not FIXTURES.is_dir():
    pytest.skip(f"{FIXTURES} is absent (shared fixtures ship beside the repo, not in it)",
                allow_module_level=True)

SLOW_BYTES = 1_000_000  # fitparse needs ~5-17 s on these (big_activity.fit is 2.4 MB)
FILES = [
    pytest.param(p, id=p.relative_to(FIXTURES).as_posix(),
                 marks=[pytest.mark.slow] if p.stat().st_size > SLOW_BYTES else [])
    for p in sorted(FIXTURES.rglob("*.fit"))
]

Outcome = list[Activity] | FitError


@cache
def _decode(path: Path, backend: fit.Backend) -> Outcome:
    try:
        return fit.decode(path.read_bytes(), path.name, backend=backend)
    except FitError as exc:
        return exc


def test_fixtures_are_found() -> None:
    assert FILES, f"no .fit files under {FIXTURES}"


@pytest.mark.parametrize("path", FILES)
def test_decodes_or_raises_fit_error(path: Path) -> None:
    outcome = _decode(path, "auto")  # anything but FitError propagates and fails the test
    if isinstance(outcome, FitError):
        message = str(outcome)
        assert message.startswith(f"{path.name}: ") and "\n" not in message
        return
    for i, a in enumerate(outcome):
        assert a.session_index == i and a.start.tzinfo is not None
        assert a.duration_s >= 0 and len(a.streams.t) == len(a.streams)
        assert all(v.shape == a.streams.t.shape for v in a.streams.channels.values())


@pytest.mark.parametrize("path", FILES)
def test_decoders_agree(path: Path) -> None:
    fast, slow = _decode(path, "fitfast"), _decode(path, "fitparse")
    auto = _decode(path, "auto")
    if isinstance(fast, FitError) and isinstance(slow, FitError):
        assert isinstance(auto, FitError)
    elif isinstance(fast, FitError) or isinstance(slow, FitError):
        readable = slow if isinstance(fast, FitError) else fast
        assert not isinstance(auto, FitError) and not isinstance(readable, FitError)
        _assert_agree(auto, readable)  # the fallback serves what the other decoder reads
    else:
        assert not isinstance(auto, FitError)
        _assert_agree(fast, slow)
        _assert_agree(auto, fast)


def test_every_file_with_a_header_crc_of_0_is_read_by_fitfast() -> None:
    """Devices of about 2013-2015 (an Edge 810's ride among them) left the header CRC 0:
    every such file fitparse reads, fitfast now reads alike, not in fitparse's seconds."""
    zero = [p for p in sorted(FIXTURES.rglob("*.fit")) if p.stat().st_size <= SLOW_BYTES
            and (data := p.read_bytes())[:1] == b"\x0e" and data[12:14] == b"\0\0"]
    read = [p for p in zero if not isinstance(_decode(p, "fitparse"), FitError)]
    assert len(read) >= 3, read  # Edge810-Vector, two runs of 2013 and 2015, Settings
    for path in read:
        fast = _decode(path, "fitfast")
        assert not isinstance(fast, FitError), fast
        _assert_agree(fast, _decode(path, "fitparse"))  # type: ignore[arg-type]


def _assert_agree(left: list[Activity], right: list[Activity]) -> None:
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert (a.sport, a.sub_sport, a.start) == (b.sport, b.sub_sport, b.start)
        assert abs(a.duration_s - b.duration_s) <= 1.0
        if a.distance_m is None or b.distance_m is None:
            assert a.distance_m == b.distance_m
        else:
            assert a.distance_m == pytest.approx(b.distance_m, rel=1e-3, abs=0.01)
        assert len(a.laps) == len(b.laps)
        assert [lap.intensity for lap in a.laps] == [lap.intensity for lap in b.laps]
        assert a.sets == b.sets and a.utc_offset_s == b.utc_offset_s
        assert len(a.streams) == len(b.streams)
        assert set(a.streams.channels) == set(b.streams.channels)
        hr_a, hr_b = a.streams.get("heart_rate"), b.streams.get("heart_rate")
        if hr_a is not None and hr_b is not None:
            assert np.nansum(hr_a) == pytest.approx(np.nansum(hr_b), rel=5e-3)


def test_packed_speed_and_distance_read_alike_whatever_the_decoder() -> None:
    """The one fixture whose records pack speed and distance (compressed_speed_distance, a
    Forerunner 70's) is refused for its clock, never set (times count from when the watch
    started): its records, dated, give the same activity from both decoders."""
    data = (FIXTURES / "python-fitparse" / "compressed-speed-distance.fit").read_bytes()
    dated = [_dated(fit._read(data, "fr70.fit", backend)) for backend in ("fitfast", "fitparse")]
    left, right = (fit_normalise.normalise(raw) for raw in dated)
    _assert_agree(left, right)
    [run], [other] = left, right
    for channel in ("speed", "distance"):
        mine, theirs = run.streams.get(channel), other.streams.get(channel)
        assert mine is not None and theirs is not None, channel
        np.testing.assert_allclose(mine, theirs)
        if channel == "distance":
            assert np.nanmax(mine) == pytest.approx(run.distance_m, rel=0.01)


def _dated(raw: fit_normalise.RawFit) -> fit_normalise.RawFit:
    """The file's times moved by 20 years, past the first FIT date."""
    shift = 20 * 365 * 86400
    messages = {kind: [{k: v + shift if k in ("timestamp", "start_time") else v
                        for k, v in m.items()} for m in found]
                for kind, found in raw.messages.items()}
    return fit_normalise.RawFit(messages, {**raw.records,
                                           "timestamp": raw.records["timestamp"] + shift})


@pytest.mark.slow
def test_a_file_whose_last_record_is_cut_is_not_read_again_by_fitparse() -> None:
    # a real file (a Sigma computer's): its header counts a last record the file lacks
    data = (FIXTURES / "python-fitparse" / "nick.fit").read_bytes()
    with pytest.raises(FitError, match=r"^nick\.fit: cannot decode \(fitfast: [^;]*unexpected "
                                       r"EOF\)$"):
        fit.decode(data, "nick.fit")
    with pytest.raises(FitError, match=r"\(fitparse: FitEOFError"):  # what it finds, in 2.5 s
        fit.decode(data, "nick.fit", backend="fitparse")


def _cut(data: bytes, size: int) -> bytes:
    """The file's first `size` bytes of messages under a header counting them, and their CRC:
    a record the cut runs through falls short of the file's end, as nick.fit's last does."""
    header = bytearray(data[:data[0]])
    header[4:8] = size.to_bytes(4, "little")
    if len(header) == 14:
        header[12:14] = CrcCalculator.calculate_crc(bytes(header), 0, 12).to_bytes(2, "little")
    body = bytes(header) + data[len(header):len(header) + size]
    return body + CrcCalculator.calculate_crc(body, 0, len(body)).to_bytes(2, "little")


def _spared_and_asked(variants: Iterable[bytes], fault: str) -> tuple[int, int]:
    """Of the variants whose reading fitfast stops at `fault`: how many fitparse is spared
    (each checked to fail in fitparse too), and how many it is asked to read."""
    spared, asked = 0, 0
    for data in variants:
        try:
            with fit.quiet_decoder():  # fitfast's panics on some variants
                fit._fitfast(fitfast.parse, data)
            continue
        except Exception as exc:
            if fault not in str(exc):
                continue
        with pytest.raises(FitError) as auto:
            fit.decode(data, "variant.fit")
        if "fitparse:" in str(auto.value):
            asked += 1
            continue
        spared += 1
        with pytest.raises(FitError, match="fitparse: "):  # its end, or a fault before
            fit.decode(data, "variant.fit", backend="fitparse")
    return spared, asked


@pytest.mark.parametrize("name, defines_developer_fields", [
    ("python-fitparse/nick.fit", False),
    ("fit-python-sdk/HrmPluginTestActivity.fit", False),
    ("python-fitparse/compressed-speed-distance.fit", False),  # compressed timestamp headers
    ("fit-python-sdk/ActivityDevFields.fit", True),
])
def test_fitparse_is_spared_a_cut_record_only_where_it_fails_too(
        name: str, defines_developer_fields: bool) -> None:
    data = (FIXTURES / name).read_bytes()
    # cuts through records and definitions of every kind
    spared, asked = _spared_and_asked((_cut(data, size) for size in range(100, 3000, 41)),
                                      "unexpected EOF")
    assert spared > 5
    # the spec's framing finds every end fitfast finds, except past developer fields, which
    # fitparse frames otherwise and so still reads
    assert (asked > 20) if defines_developer_fields else (asked == 0)


@pytest.mark.parametrize("name", ["fit-python-sdk/HrmPluginTestActivity.fit",
                                  "python-fitparse/compressed-speed-distance.fit"])
def test_fitparse_is_spared_data_without_a_definition_only_where_it_fails_too(
        name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    # a byte made 0x0F: where it was a message's header, data of local number 15, undefined;
    # in the file's first 1500 bytes of messages, their CRC computed again (as if its writer
    # had written them so, and so that fitparse would not stop at the CRC)
    variants = (_cut(data[:pos] + b"\x0f" + data[pos + 1:], 1500)
                for pos in range(data[0], 1400, 2))
    spared, _ = _spared_and_asked(variants, "missing message definition")
    assert spared > 5  # (a byte made 0x0F in a definition can frame one of developer fields)
