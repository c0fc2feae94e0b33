"""Pack and unpack per-sample streams: one zlib-compressed float32 array per channel.

float32 keeps 7 significant digits: HR, speed, cadence, power and altitude need far fewer,
and distance stays within centimetres over a marathon. NaN marks missing samples.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from domain.activity import STREAM_CHANNELS, Streams

ENCODING = 1
_DTYPE = np.dtype("<f4")


def pack(values: np.ndarray) -> bytes:
    return zlib.compress(np.ascontiguousarray(values, dtype=_DTYPE).tobytes(), 1)


def unpack(blob: bytes, samples: int) -> np.ndarray:
    array = np.frombuffer(zlib.decompress(blob), dtype=_DTYPE).astype(np.float64)
    if array.shape[0] != samples:
        raise ValueError(f"stream holds {array.shape[0]} samples, expected {samples}")
    return array


def pack_streams(streams: Streams) -> dict[str, bytes | None]:
    """Column name -> blob for the `streams` table (t plus every channel)."""
    columns: dict[str, bytes | None] = {"t": pack(streams.t)}
    for name in STREAM_CHANNELS:
        channel = streams.get(name)
        columns[name] = pack(channel) if channel is not None else None
    return columns


@dataclass(frozen=True)
class Packed:
    """A Streams as the `streams` table holds it: packed once, where the CPU is (an import
    packs in its worker processes), and stored as it is."""

    samples: int
    columns: dict[str, bytes | None]

    @classmethod
    def of(cls, streams: Streams) -> Packed | None:
        """None for no samples: such an activity gets no `streams` row."""
        return cls(len(streams), pack_streams(streams)) if len(streams) else None


def unpack_streams(columns: dict[str, bytes | None], samples: int) -> Streams:
    blob_t = columns["t"]
    t = unpack(blob_t, samples) if blob_t is not None else np.zeros(0)
    channels = {name: unpack(blob, samples) for name in STREAM_CHANNELS
                if (blob := columns.get(name)) is not None}
    return Streams(t=t, channels=channels)
