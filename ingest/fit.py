"""FIT bytes → normalised Activities: fitfast first, fitparse as the fallback, one normaliser.

Each backend only translates its decoder's output into `RawFit` (canonical message dicts plus
record columns under their FIT names); `fit_normalise.normalise` alone turns that into
Activities, so the two paths cannot drift apart in meaning. Pure: bytes in, values out.
"""

from __future__ import annotations

import os
import struct
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter, countOf, itemgetter, pos
from typing import Any, Literal, TypeVar

import fitfast
import fitparse
import numpy as np

from domain.activity import Activity
from ingest.fit_crc import for_fitfast
from ingest.fit_normalise import Msg, RawFit, Undated, is_activity, normalise, number

Backend = Literal["auto", "fitfast", "fitparse"]

# The only messages the normaliser reads; everything else is dropped at the backend.
_MESSAGES = ("file_id", "session", "lap", "workout_step", "set", "activity", "sport")
_TIME_FIELDS = frozenset({"timestamp", "start_time", "time_created", "local_timestamp"})
_RECORD_FIELDS = ("timestamp", "heart_rate", "enhanced_speed", "speed", "power", "cadence",
                  "enhanced_altitude", "altitude", "distance", "compressed_speed_distance")
_FIT_EPOCH = 631065600  # 1989-12-31T00:00Z in Unix seconds
_PLAIN_NUMBERS = frozenset({int, float, type(None)})  # `number` keeps these (bool is NaN)
Columns = dict[str, np.ndarray]
Rows = Sequence[Mapping[Any, Any]]  # record messages as a decoder gives them
Converters = Mapping[str, Callable[[Any], float]]  # field -> value as a float
# Records `_packed` reads at most: it reads a field's values twice (into the argument tuple,
# then packing), so past the CPU's cache it fetches them from memory twice. The 9 fields of
# the first n of big_activity.fit's records took 0.68-0.77 of the time value by value for
# n = 4,000-16,000, 0.96 for 32,000, 1.06-1.23 for 64,000-99,998 (the whole file's decode
# 309-323 ms instead of 305-310).
_PACKED_RECORDS = 16_384
_GET = attrgetter("get")  # a record's get, for reading its fields in C
_NAN = float("nan")
_T = TypeVar("_T")


class FitError(Exception):
    """A file we cannot read; the message is one line: "<name>: <reason>". `misdated`: its
    run was refused for its date (the watch's clock), which no copy of the file mends."""

    def __init__(self, name: str, reason: str, misdated: bool = False) -> None:
        self.name, self.reason, self.misdated = name, " ".join(reason.split()), misdated
        super().__init__(f"{name}: {self.reason}")

    def __reduce__(self) -> tuple[type[FitError], tuple[str, str, bool]]:
        # survives the trip back from a worker process
        return FitError, (self.name, self.reason, self.misdated)


def decode(data: bytes, name: str = "<bytes>", *, backend: Backend = "auto",
           dated: bool = True) -> list[Activity]:
    """One Activity per session; [] for FIT files that are not activities (settings, workouts,
    courses, ...). Raises FitError, and only FitError, for anything unreadable. `backend`
    forces one decoder (tests compare them); "auto" falls back to fitparse when fitfast fails.
    `dated=False` for a stored file: its run timed by a clock never set, stored before such
    runs were refused, is read as it was stored (fit_normalise.normalise)."""
    raw = _read(data, name, backend)
    try:
        return normalise(raw, dated=dated)
    except Undated as exc:  # the data is sound: its clock was not
        raise FitError(name, str(exc), misdated=exc.by_clock) from exc
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, OSError) as exc:
        raise FitError(name, f"unusable activity data ({type(exc).__name__}: {exc})") from exc


def is_activity_file(data: bytes, name: str = "<bytes>") -> bool:
    """False for settings, workout, course, monitoring, weight... files; FitError if unreadable."""
    return is_activity(_read(data, name, "auto"))


def threshold_hr_setting(data: bytes, name: str = "<bytes>") -> int | None:
    """The lactate threshold HR the device held when it recorded the file (its zones_target
    message: the athlete's setting, which Garmin's watches also update from their own
    threshold detection); None when the file does not say. FitError if unreadable."""
    _check_header(data, name)
    try:
        values = _fitfast(fitfast.records, data, "zones_target").get("threshold_heart_rate")
    except Exception as exc:  # fitfast's decode errors; a settings value is never worth more
        raise FitError(name, f"cannot decode ({type(exc).__name__}: {exc})") from exc
    found = [v for v in (values if values is not None else ()) if np.isfinite(v) and v > 0]
    return round(float(found[-1])) if found else None


# ---------------------------------------------------------------------------- backends


def _read(data: bytes, name: str, backend: Backend) -> RawFit:
    _check_header(data, name)
    readers: dict[str, Callable[[bytes], RawFit]] = {"fitfast": _via_fitfast,
                                                     "fitparse": _via_fitparse}
    errors = []
    for label in ("fitfast", "fitparse") if backend == "auto" else (backend,):
        try:
            return readers[label](data)
        except Exception as exc:
            errors.append(f"{label}: {type(exc).__name__}: {exc}")
            if _checksum_fails(exc) or _framing_fails(exc, data):
                break
    raise FitError(name, f"cannot decode ({'; '.join(errors)})")


def _checksum_fails(exc: Exception) -> bool:
    """Whether fitfast found the file's checksum wrong as the spec computes it (a header CRC
    of 0 restated by fit_crc.for_fitfast; a wrong header CRC fitparse refuses too), so
    that fitparse would only find the same. Decoding a damaged file again in pure Python
    found nothing more, in up to 50 s (a 2.4 MB file)."""
    return _first_sequence_says(exc, "checksum mismatch")


def _first_sequence_says(exc: Exception, *faults: str) -> bool:
    """Whether fitfast found one of `faults` (its words) in the file's first sequence, not
    in a later file of a chain (which has its own header, and is framed on its own)."""
    return isinstance(exc, fitfast.FitDecodeError) and "valid FIT sequence" not in str(exc) \
        and any(fault in str(exc) for fault in faults)


def _framing_fails(exc: Exception, data: bytes) -> bool:
    """Whether fitfast's "unexpected EOF" or "missing message definition" is the file's own
    (`_misframed`), so that fitparse would only find the same, however long it takes
    (nick.fit, a real 403 KB file with its last record cut, took it 2.5 s)."""
    return _first_sequence_says(exc, "unexpected EOF", "missing message definition") \
        and _misframed(data)


def _misframed(data: bytes) -> bool:
    """Whether the messages of the file's first sequence, framed as the spec frames them
    (each data message as long as its definition's field sizes added up), and the CRC after
    them need more bytes than the file has, or a data message comes before any definition
    of its local number. fitparse frames them alike and fails there: FitParseError for data
    without a definition; FitEOFError where the bytes run out, at once in a header or a
    definition, and in a data message once it has noted the end and read on to the CRC.
    Except for developer fields, which it frames by their described type (3 bytes typed
    uint16 are read as 2): a file defining them is never called misframed here."""
    pos, end = data[0], data[0] + struct.unpack_from("<I", data, 4)[0]
    lengths: dict[int, int] = {}  # local message number -> its data messages' length
    try:
        while pos < end:
            header, pos = data[pos], pos + 1
            if header & 0x80:  # a compressed timestamp header: local number in bits 5-6
                pos += lengths[header >> 5 & 0x3]
            elif header & 0x40 and header & 0x20:  # a definition with developer fields
                return False
            elif header & 0x40:  # reserved, architecture, global number (2), field count
                fields = data[pos + 4]
                lengths[header & 0xF] = sum(data[pos + 5 + 3 * i + 1] for i in range(fields))
                pos += 5 + 3 * fields
            else:
                pos += lengths[header & 0xF]
    except (KeyError, IndexError):  # data without a definition; a definition cut by the end
        return True
    return pos + 2 > len(data)


def _check_header(data: bytes, name: str) -> None:
    """Cheap checks that give a clear reason instead of two decoders' complaints."""
    if not data:
        raise FitError(name, "empty file")
    if len(data) < 12 or data[8:12] != b".FIT" or data[0] not in (12, 14):
        raise FitError(name, "not a FIT file (bad header)")
    size = data[0] + struct.unpack_from("<I", data, 4)[0] + 2  # header + data + CRC
    if size > len(data):
        raise FitError(name, f"truncated (header announces {size} bytes, file has {len(data)})")


@contextmanager
def quiet_decoder() -> Iterator[None]:
    """This process's stderr goes to /dev/null meanwhile. fitfast's Rust panic hook prints a
    panic and a backtrace note there for a damaged file, which FitError already says in one
    line. Only where nothing else writes to stderr meanwhile: an import worker, a command
    decoding the files it was given (another thread's lines would be lost). Without a
    stderr at all (fd 2 closed, `2>&-`: sys.stderr is None) there is nothing to quiet."""
    if sys.stderr is not None:
        sys.stderr.flush()
    try:
        saved: int | None = os.dup(2)
    except OSError:
        saved = None
    if saved is None:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class DecoderPanic(ValueError):
    """fitfast's Rust code panicked on a damaged file: a bad file like any other."""


def _fitfast(call: Callable[..., _T], data: bytes, *args: Any) -> _T:
    """A fitfast call whose panic is an ordinary error. pyo3 raises a Rust panic as
    PanicException, a BaseException that `except Exception` lets through as a traceback."""
    try:
        return call(for_fitfast(data), *args)
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise DecoderPanic(str(exc)) from None


def _via_fitfast(data: bytes) -> RawFit:
    # One decode: parse() gives every message, and the record columns are gathered from its
    # record dicts. A second, columnar pass with records() cost more than the gathering saves.
    parsed = _fitfast(fitfast.parse, data)
    messages = {kind: [_canonical(m, float) for m in parsed.get(kind, [])] for kind in _MESSAGES}
    return RawFit(messages, _columns(parsed.get("record", []),
                                     {"compressed_speed_distance": _pack_bytes}))


def _via_fitparse(data: bytes) -> RawFit:
    # check_crc stays on: a file whose checksum fails is corrupt, and fitparse's check_crc=False
    # path misreads the trailing CRC of every intact file as the start of a chained file.
    messages: dict[str, list[Msg]] = {kind: [] for kind in _MESSAGES}
    rows: list[Msg] = []
    with warnings.catch_warnings():  # its UserWarnings on odd field sizes would reach the CLI
        warnings.simplefilter("ignore")
        for msg in fitparse.FitFile(data, check_crc=True).get_messages():
            if msg.name == "record":
                rows.append(_fitparse_values(msg))
            elif msg.name in messages:
                messages[msg.name].append(_canonical(_fitparse_values(msg), _fitparse_time))
    return RawFit(messages, _columns(rows, {
        "timestamp": _fitparse_time, "compressed_speed_distance": _pack_bytes}))


def _columns(rows: Rows, converters: Converters) -> Columns:
    """The record fields the normaliser reads as float64 columns, each value through its
    converter (`number` unless named), NaN where a record lacks the field; a field no record
    holds is no column."""
    # records of one length (counted in C: a set of the lengths took twice as long, 137 µs
    # against 62 for a one-hour run's 3,600) and alike: column by column in C
    if rows and countOf(map(len, rows), len(rows[0])) == len(rows) and _alike(rows):
        try:
            return {f: _gathered(rows, f, converters) for f in _RECORD_FIELDS if f in rows[0]}
        except (KeyError, TypeError, ValueError, OverflowError):
            pass  # some record lacks a field of the first, or holds a list
    present = set().union(*rows)
    fields = [field for field in _RECORD_FIELDS if field in present]
    table = _table(rows, [field for field in fields if field not in converters])
    return {field: table[field] if field in table else _column(
        [row.get(field) for row in rows], converters.get(field, number)) for field in fields}


def _table(rows: Rows, fields: list[str]) -> Columns:
    """Records that differ (a field missing from some): `fields` record by record in C, NaN
    where a record lacks one; {} where a record holds anything but a number (`_numbers`; then
    field by field, through `number`, which makes it NaN). A real watch's record holds 10-20
    fields, and read field by field every record came back into the cache once per field: the
    records of the 37 real fixture files whose records differ (156,000) took 118-122 ms so,
    88-90 ms record by record through `pos` (67-69 without it; five runs each, CPU time).
    Alike records (the generated runs' 6 fields) stay quicker field by field (`_gathered`)."""
    try:
        values = np.fromiter(_numbers(chain.from_iterable(map(
            map, map(_GET, rows), repeat(fields), repeat(repeat(_NAN))))),
            dtype=np.float64, count=len(rows) * len(fields))
    except (TypeError, ValueError, OverflowError):
        return {}
    return dict(zip(fields, np.ascontiguousarray(values.reshape(len(rows), len(fields)).T),
                    strict=True))


def _alike(rows: Rows) -> bool:
    """Whether records of one length hold the same fields, judged by the first, middle and
    last (checking every record would cost a tenth of the decode): a field that only appears
    later (a heart-rate strap found a minute in) while another drops out keeps the length."""
    return rows[0].keys() == rows[len(rows) // 2].keys() == rows[-1].keys()


def _numbers(values: Iterable[Any]) -> Iterator[Any]:
    """`values` as they are, a TypeError at the first that is no number: numpy's float()
    would read a text ("152": fitparse gives it for a field a writer declared a string;
    fitfast reads that field's first byte, so neither is a heart rate) as one, where `number`
    makes it NaN. Every record column is gathered through it, alike records or not."""
    return map(pos, values)


def _gathered(rows: Rows, field: str, converters: Converters) -> np.ndarray:
    """A field every record holds (KeyError if not). A plain one goes through float() in
    numpy rather than `number`, each value a number (`_numbers`: a text is a TypeError), or a
    list for a field written with an array size (an error too): then the caller reads the
    records through `number`, which makes either NaN. One field at a time
    (a map of itemgetter into fromiter) is faster than a tuple of fields per record. A field
    the profile types as an integer (time, heart rate, cadence, power: the first record holds
    an int) is read as int64, 20-35 % quicker than into float64 (gathering a one-hour run:
    0.72 -> 0.62 ms); a float among its ints would lose its fraction, which takes a writer that
    redefines the field as a float mid-file (none of the fixtures' 53 record files mixes types).
    `_packed` first, up to `_PACKED_RECORDS` records: the same values, quicker."""
    if field in converters:
        return _column(list(map(itemgetter(field), rows)), converters[field])
    dtype = np.int64 if type(rows[0][field]) is int else np.float64
    if len(rows) <= _PACKED_RECORDS:
        try:
            return _packed(rows, field, dtype)
        except struct.error:  # a value of another type: the field read as before, one by one
            pass
    return np.fromiter(_numbers(map(itemgetter(field), rows)), dtype=dtype,
                       count=len(rows)).astype(np.float64, copy=False)


def _packed(rows: Rows, field: str, dtype: type[np.generic]) -> np.ndarray:
    """`field` of every record packed by struct as int64 or float64: the values `_gathered`
    reads, where each is an int (a bool too) for int64, a number for float64; struct.error
    where one is not (a text, a list, None, a float among ints, an int past the type), which
    struct finds by itself where numpy's fromiter needed `_numbers` to tell it, value by
    value: a one-hour run's 6 fields gathered in 0.61 ms instead of 0.94-1.00 (min of 300)."""
    code, little = ("q", "<i8") if dtype is np.int64 else ("d", "<f8")
    packed = struct.pack(f"<{len(rows)}{code}", *map(itemgetter(field), rows))
    return np.frombuffer(packed, dtype=little).astype(np.float64)  # a copy: writable


def _column(values: list[Any], convert: Callable[[Any], float]) -> np.ndarray:
    if convert is number and set(map(type, values)) <= _PLAIN_NUMBERS:
        return np.array(values, dtype=np.float64)  # None becomes NaN
    return np.array([float("nan") if v is None else convert(v) for v in values],
                    dtype=np.float64)


def _fitparse_values(msg: Any) -> Msg:
    # A field can appear twice (as itself and expanded from a component, e.g. distance from
    # an all-invalid compressed_speed_distance); get_values() keeps the last, maybe None.
    out: Msg = {}
    for field in msg.fields:
        if field.value is not None:
            out.setdefault(field.name, field.value)
    return out


def _canonical(fields: Mapping[Any, Any], to_unix: Callable[[Any], float]) -> Msg:
    """Named fields only, invalid (None) dropped, tuples as lists, times in Unix seconds."""
    out: Msg = {}
    for key, value in fields.items():
        if isinstance(key, str) and value is not None:
            out[key] = to_unix(value) if key in _TIME_FIELDS else (
                list(value) if isinstance(value, tuple) else value)
    return out


def _fitparse_time(value: Any) -> float:
    # fitparse gives naive UTC datetimes, but leaves raw FIT seconds below 0x10000000 (device
    # uptime clocks) as ints; fitfast maps both through the FIT epoch, so do the same.
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).timestamp()
    return number(value) + _FIT_EPOCH


def _pack_bytes(value: Any) -> float:
    """A 3-byte array as one little-endian number (float64 holds 24 bits exactly)."""
    if isinstance(value, bytes | list | tuple) and len(value) == 3 \
            and all(isinstance(b, int) for b in value):
        return float(value[0] | value[1] << 8 | value[2] << 16)
    return float("nan")
