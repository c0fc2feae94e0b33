"""Pack and unpack per-sample streams: one compressed float32 array per channel.

float32 keeps 7 significant digits: HR, speed, cadence, power and altitude need far fewer,
and distance stays within centimetres over a marathon. NaN marks missing samples.
Encoding 3 (written now) stores the array's bytes as four planes (every value's first byte,
then every second byte, ...) compressed with zstd level 1: neighbouring samples share their
sign, exponent and high bits, so the planes compress well. Measured on 30 generated hour runs
and on the 48 real activities of ../shared/fixtures that fitfast reads (float32 MB in / MB
out, and MB/s): zstd level 1 3.35x and 4.7x at 630-740 MB/s (0.13 ms a run; unpacking
~1,100-1,400 MB/s); the same planes with zlib level 1 (encoding 2) 3.3x and 4.8x at only
160-175 MB/s (0.54 ms a run, 20 % of fitfast's decode time on the generated runs). zstd
levels 2-3 gain under 2 % in size for 5-15 % more time, levels -1 and -3 lose 7-16 % of the
ratio for 0.03-0.05 ms. One compressor per thread: making one per call doubles the time.
Each frame carries its checksum (4 bytes, under 1 µs a channel): zstd's frames have none
by default, and a damaged one would decode to wrong samples instead of an error.
Encodings 2 and 1 (planes or plain bytes through zlib: rows stored before) are still read.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import zstandard

from domain.activity import STREAM_CHANNELS, Streams

if TYPE_CHECKING:  # loaded by the functions that pack and unpack: the database's schema and
    import numpy as np  # a command that reads no samples (plan, why) need no numpy

ENCODING = 3  # byte planes, zstd
ZLIB_PLANES = 2  # byte planes, zlib: rows stored before zstd
PLAIN = 1  # plain bytes, zlib: rows stored before byte planes
_DTYPE, _SIZE = "<f4", 4  # little-endian float32, and its bytes


class _Codec(threading.local):
    """zstd's compressor and decompressor, one of each per thread (an instance is not safe
    to share between threads, and making one per call costs as much as compressing)."""

    def __init__(self) -> None:
        # with its checksum: a zstd frame has none by default, and a flipped bit would
        # decode to wrong samples without a word (zlib's encodings always carried one)
        self.compress = zstandard.ZstdCompressor(level=1, write_checksum=True).compress
        self.decompress = zstandard.ZstdDecompressor().decompress


_CODEC = _Codec()


def pack(values: np.ndarray) -> bytes:
    import numpy as np

    planes = np.ascontiguousarray(values, dtype=_DTYPE).view(np.uint8).reshape(-1, _SIZE).T
    return _CODEC.compress(planes.tobytes())


def unpack(blob: bytes, samples: int, encoding: int = ENCODING) -> np.ndarray:
    """The float64 samples; ValueError (one line) for a blob that does not hold `samples`
    values in `encoding`: an unknown encoding, a corrupt blob, another length."""
    import numpy as np

    if encoding not in (ENCODING, ZLIB_PLANES, PLAIN):
        raise ValueError(f"unknown stream encoding {encoding}")
    try:
        if encoding == ENCODING:
            # a zstd frame announces its length: checked before zstd allocates that much
            _check_length(zstandard.frame_content_size(blob), samples)
            data = _CODEC.decompress(blob)
        else:
            data = zlib.decompress(blob)
    except (zlib.error, zstandard.ZstdError) as exc:
        raise ValueError(f"stream is corrupt (encoding {encoding}: {exc})") from exc
    _check_length(len(data), samples)
    raw = np.frombuffer(data, dtype=np.uint8)
    if encoding != PLAIN:
        raw = np.ascontiguousarray(raw.reshape(_SIZE, samples).T)
    return raw.view(_DTYPE).reshape(samples).astype(np.float64)


def _check_length(size: int, samples: int) -> None:
    if size != samples * _SIZE:  # size -1: a zstd frame that does not say
        raise ValueError(f"stream holds {max(size, 0) // _SIZE} samples, "
                         f"expected {samples}")


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


def unpack_streams(columns: dict[str, bytes | None], samples: int,
                   encoding: int = ENCODING) -> Streams:
    import numpy as np

    blob_t = columns["t"]
    t = unpack(blob_t, samples, encoding) if blob_t is not None else np.zeros(0)
    channels = {name: unpack(blob, samples, encoding) for name in STREAM_CHANNELS
                if (blob := columns.get(name)) is not None}
    return Streams(t=t, channels=channels)
