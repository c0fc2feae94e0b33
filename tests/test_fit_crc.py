"""ingest.fit_crc: FIT's CRC against the SDK's, and the restatement that lets fitfast read
files whose header CRC is 0 (the decoding itself: tests/test_fit.py, test_fit_conformance)."""

from __future__ import annotations

import struct

from garmin_fit_sdk import CrcCalculator
from hypothesis import given
from hypothesis import strategies as st

from ingest.fit_crc import _zeros, crc, for_fitfast


@given(st.binary(max_size=300))
def test_the_crc_is_the_sdks(data: bytes) -> None:
    assert crc(data) == CrcCalculator.calculate_crc(data, 0, len(data))


@given(st.integers(0, 0xFFFF), st.integers(0, 3000))
def test_zero_bytes_by_powers_are_zero_bytes_one_by_one(state: int, count: int) -> None:
    assert _zeros(count, state) == crc(bytes(count), state)


def _sequence(data: bytes, header_crc: bool) -> bytes:
    """A 14-byte-header sequence of `data`, its CRC as the spec sums it."""
    header = bytearray(struct.pack("<BBHI4s", 14, 0x20, 2132, len(data), b".FIT") + b"\0\0")
    if header_crc:
        header[12:14] = struct.pack("<H", crc(bytes(header[:12])))
    body = bytes(header) + data
    return body + struct.pack("<H", crc(body))


def _data_sums(data: bytes) -> bool:
    """Whether a sequence's CRC is the sum of its data alone: what fitfast checks."""
    size = struct.unpack_from("<I", data, 4)[0]
    return struct.unpack_from("<H", data, 14 + size)[0] == crc(data[14:14 + size])


@given(st.binary(min_size=1, max_size=500), st.binary(min_size=1, max_size=500))
def test_each_sequence_with_a_header_crc_of_0_is_restated_to_its_data_sum(
        first: bytes, second: bytes) -> None:
    zero, sealed = _sequence(first, header_crc=False), _sequence(second, header_crc=True)
    chained = for_fitfast(zero + sealed + zero)
    assert len(chained) == 2 * len(zero) + len(sealed)
    assert _data_sums(chained[:len(zero)]) and _data_sums(chained[-len(zero):])
    assert chained[len(zero):-len(zero)] == sealed  # a sound header CRC: already the sum
    assert not _data_sums(zero) or crc(zero[:14]) == 0  # before, it was the spec's sum only


def test_a_damaged_file_stays_damaged_and_bytes_it_cannot_frame_stay_as_they_are() -> None:
    zero = bytearray(_sequence(b"some messages", header_crc=False))
    zero[20] ^= 0x5A
    assert not _data_sums(for_fitfast(bytes(zero)))  # the restatement keeps the mismatch
    sealed = _sequence(b"x" * 40, header_crc=True)
    assert for_fitfast(sealed) is sealed
    cut = _sequence(b"y" * 40, header_crc=False)[:-5]  # announces more than it holds
    assert for_fitfast(sealed + cut) == sealed + cut
