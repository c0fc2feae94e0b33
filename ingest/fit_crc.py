"""FIT's CRC-16, and a file restated so that fitfast's checksum is the spec's.

The spec sums a sequence's header and data into the CRC after them. fitfast sums the data
alone (the header too when it is 12 bytes), which is the same sum only when a 14-byte header
ends in its own sound CRC. A header CRC of 0 is allowed, and Garmin's devices of about
2013-2015 wrote it: fitfast refused every such file as a checksum mismatch and left it to
fitparse, about 2 s for a 150 KB run instead of 15 ms. `for_fitfast` restates each such
sequence's trailing CRC as the sum of its data alone: given the header, the one value that
holds exactly when the spec's sum holds, so fitfast's check is still the spec's.

The CRC is linear: run from a state s over data D it is (s run through len(D) zero bytes)
XOR (the CRC of D from 0). The zero bytes are a 16x16 bit matrix, raised to len(D) by its
powers of two. Pure (no I/O).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from functools import cache

# The spec's table: the CRC of each 4-bit value.
_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
          0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
Map = tuple[int, ...]  # a linear map of 16-bit states: the image of each bit


def crc(data: bytes, state: int = 0) -> int:
    """FIT's CRC-16 of `data`, run on from `state` (0: a sum from its start)."""
    for byte in data:
        state = (state >> 4) ^ _TABLE[state & 0xF] ^ _TABLE[byte & 0xF]
        state = (state >> 4) ^ _TABLE[state & 0xF] ^ _TABLE[byte >> 4]
    return state


def for_fitfast(data: bytes) -> bytes:
    """`data` with the trailing CRC of each sequence whose 14-byte header has a CRC of 0
    restated as the sum of its data alone (module docstring); `data` itself when none has.
    Sequences are followed while their headers frame them; what follows is left as it is,
    for the decoders to judge."""
    out: bytearray | None = None
    for start, header, size in _sequences(data):
        if header == 14 and data[start + 12:start + 14] == b"\0\0":
            at = start + header + size
            out = bytearray(data) if out is None else out
            found = struct.unpack_from("<H", data, at)[0]
            struct.pack_into("<H", out, at, found ^ _zeros(size, crc(data[start:start + header])))
    return data if out is None else bytes(out)


def _sequences(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(start, header size, data size) of each chained sequence the bytes hold whole."""
    start = 0
    while start + 12 <= len(data) and data[start] in (12, 14) \
            and data[start + 8:start + 12] == b".FIT":
        header, size = data[start], struct.unpack_from("<I", data, start + 4)[0]
        if start + header + size + 2 > len(data):
            return
        yield start, header, size
        start += header + size + 2


def _zeros(count: int, state: int) -> int:
    """`state` run through `count` zero bytes, in one step per bit of `count`."""
    for power in _powers():
        if not count:
            break
        if count & 1:
            state = _apply(power, state)
        count >>= 1
    return state


@cache
def _powers() -> tuple[Map, ...]:
    """One zero byte as a map, then 2, 4, ... 2**31 of them: a data size is 32 bits."""
    maps = [tuple(crc(b"\0", 1 << bit) for bit in range(16))]
    for _ in range(31):
        maps.append(tuple(_apply(maps[-1], image) for image in maps[-1]))
    return tuple(maps)


def _apply(linear: Map, state: int) -> int:
    out, bit = 0, 0
    while state:
        if state & 1:
            out ^= linear[bit]
        state, bit = state >> 1, bit + 1
    return out
