from __future__ import annotations

import gzip
import io
import random
import zipfile
from pathlib import Path

import pytest

from ingest import export


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _labels_and_bytes(paths: list[Path], limits: export.Limits = export.LIMITS,
                      ) -> list[tuple[str, bytes | str | None]]:
    return [(f.label, f.read() if f.read else f.error) for f in export.walk(paths, limits)]


def test_files_folders_and_nested_zips(tmp_path: Path) -> None:
    (tmp_path / "a.fit").write_bytes(b"A")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "B.FIT").write_bytes(b"B")
    (tmp_path / "sub" / "notes.txt").write_text("ignored")
    inner = _zip({"DI_CONNECT/123_ACTIVITY.fit": b"C", "readme.json": b"{}"})
    (tmp_path / "export.zip").write_bytes(_zip({"UploadedFiles_Part1.zip": inner,
                                                "x/2.fit": b"D"}))
    found = _labels_and_bytes([tmp_path])
    assert sorted(data for _, data in found) == [b"A", b"B", b"C", b"D"]  # type: ignore[type-var]
    assert any(label.endswith("UploadedFiles_Part1.zip!DI_CONNECT/123_ACTIVITY.fit")
               for label, _ in found)


def test_missing_path_and_broken_zip_are_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    found = _labels_and_bytes([tmp_path / "nope.fit", tmp_path / "broken.zip"])
    assert found[0] == (str(tmp_path / "nope.fit"), "no such file or folder")
    assert found[1][0] == str(tmp_path / "broken.zip")
    assert "unreadable zip" in str(found[1][1])


def test_oversized_members_are_refused(tmp_path: Path) -> None:
    limits = export.Limits(member_bytes=1000, ratio=10**6)
    (tmp_path / "big.zip").write_bytes(_zip({"big.fit": bytes(range(256)) * 4,
                                             "small.fit": b"S"}))
    found = _labels_and_bytes([tmp_path / "big.zip"], limits)
    assert found == [(f"{tmp_path / 'big.zip'}!big.fit",
                      "refused: inflates past 1000 bytes (the limit for one member)"),
                     (f"{tmp_path / 'big.zip'}!small.fit", b"S")]


def test_zip_nesting_is_bounded(tmp_path: Path) -> None:
    data = _zip({"deep.fit": b"x"})
    for level in range(export.MAX_ZIP_DEPTH + 1):
        data = _zip({f"level{level}.zip": data})
    (tmp_path / "deep.zip").write_bytes(data)
    [found] = export.walk([tmp_path / "deep.zip"])
    assert found.error == "zips nested too deep"


def test_a_corrupt_nested_zip_does_not_hide_the_rest(tmp_path: Path) -> None:
    good = _zip({"a.fit": b"A"})
    broken = bytearray(_zip({"b.fit": b"B" * 1000}))
    broken[40:60] = b"\x00" * 20  # damage the deflate stream
    (tmp_path / "outer.zip").write_bytes(_zip({"good.zip": good, "bad.zip": bytes(broken),
                                               "c.fit": b"C"}))
    found = _labels_and_bytes([tmp_path / "outer.zip"])
    datas = [d for _, d in found if isinstance(d, bytes)]
    assert b"A" in datas and b"C" in datas


def test_a_member_past_the_ratio_is_refused_by_its_header(tmp_path: Path) -> None:
    limits = export.Limits(member_bytes=10**9, ratio=100, ratio_from_bytes=10_000)
    (tmp_path / "bomb.zip").write_bytes(_zip({"bomb.fit": bytes(200_000), "ok.fit": b"OK"}))
    found = _labels_and_bytes([tmp_path / "bomb.zip"], limits)
    assert found[0][0].endswith("bomb.zip!bomb.fit")
    assert str(found[0][1]).startswith("refused: inflates ") and "past the limit of 100:1" in str(
        found[0][1])
    assert found[1][1] == b"OK"  # the rest of the archive is still read


def _lie_about_size(archive: bytes, name: bytes, size: int) -> bytes:
    """The central directory (what zipfile trusts) says the member inflates to `size`."""
    data = bytearray(archive)
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = size.to_bytes(4, "little")
    return bytes(data)


def test_a_header_that_lies_cannot_inflate_past_the_limits(tmp_path: Path) -> None:
    limits = export.Limits(member_bytes=10**9, ratio=100, ratio_from_bytes=10_000)
    (tmp_path / "liar.zip").write_bytes(
        _lie_about_size(_zip({"liar.fit": bytes(500_000)}), b"liar.fit", 100))
    for found in export.walk([tmp_path / "liar.zip"], limits):  # read while the walk is at it
        assert found.size == 100 and found.read is not None
        with pytest.raises(export.UNREADABLE):  # zipfile stops at the size it was told: bad CRC
            found.read()


def test_nested_zip_past_the_limits_is_refused_and_its_siblings_read(tmp_path: Path) -> None:
    limits = export.Limits(member_bytes=5_000, ratio=10**6, ratio_from_bytes=10**6)
    inner = _zip({"a.fit": random.Random(0).randbytes(10_000)})  # does not deflate
    (tmp_path / "outer.zip").write_bytes(_zip({"inner.zip": inner, "b.fit": b"B"}))
    found = _labels_and_bytes([tmp_path / "outer.zip"], limits)
    assert found == [(f"{tmp_path / 'outer.zip'}!inner.zip",
                      "refused: inflates past 5000 bytes (the limit for one member)"),
                     (f"{tmp_path / 'outer.zip'}!b.fit", b"B")]


def test_gzipped_fit_files_as_strava_exports_them(tmp_path: Path) -> None:
    # Strava's "download your data" keeps each activity as activities/NNN.fit.gz
    (tmp_path / "1.fit.gz").write_bytes(gzip.compress(b"A" * 10))
    (tmp_path / "export.zip").write_bytes(_zip({"activities/2.FIT.GZ": gzip.compress(b"B"),
                                                "activities/3.gpx.gz": gzip.compress(b"C")}))
    found = _labels_and_bytes([tmp_path])
    assert sorted(data for _, data in found) == [b"A" * 10, b"B"]  # type: ignore[type-var]
    assert found[1][0] == f"{tmp_path / 'export.zip'}!activities/2.FIT.GZ"


def test_a_gzip_bomb_or_a_cut_gzip_fails_its_read(tmp_path: Path) -> None:
    (tmp_path / "bomb.fit.gz").write_bytes(gzip.compress(bytes(5_000_000)))  # 1000:1
    (tmp_path / "cut.fit.gz").write_bytes(gzip.compress(random.Random(1).randbytes(3000))[:-40])
    bomb, cut = export.walk([tmp_path / "bomb.fit.gz", tmp_path / "cut.fit.gz"])
    assert bomb.read is not None and cut.read is not None
    with pytest.raises(export.MemberRefused, match=r"^more than 1\.0 MB once unpacked from "
                       r"\d+ bytes, past the limit of 100:1 \(a compression bomb"):  # no zip
        bomb.read()  # not "to 1.0 MB": it stopped there, the true size is 5 MB
    with pytest.raises(export.UNREADABLE, match="the gzip stream ends early"):
        cut.read()


def test_every_member_of_a_gzip_is_read(tmp_path: Path) -> None:
    # `cat a.gz b.gz` is one gzip file (RFC 1952), read whole by gzip itself: zlib alone
    # stopped at the end of the first member, and the FIT file came out cut
    data = random.Random(2).randbytes(3000)
    joined = gzip.compress(data[:1000]) + gzip.compress(data[1000:2000]) + gzip.compress(
        data[2000:])
    (tmp_path / "joined.fit.gz").write_bytes(joined)
    (tmp_path / "padded.fit.gz").write_bytes(joined + bytes(512))  # zeros after, as tar pads
    (tmp_path / "in.zip").write_bytes(_zip({"joined.fit.gz": joined}))
    # bytes after the last member that start none: gzip reads the file and warns ("trailing
    # garbage ignored"), and so did import before it read past the first member
    (tmp_path / "tail.fit.gz").write_bytes(joined + b"tail")
    assert [read for _, read in _labels_and_bytes([tmp_path])] == [data, data, data, data]
    (tmp_path / "cut.fit.gz").write_bytes(joined[:-10])  # its last member cut
    (tmp_path / "plain.fit.gz").write_bytes(data)  # named .gz, never gzipped
    cut, plain = export.walk([tmp_path / "cut.fit.gz", tmp_path / "plain.fit.gz"])
    with pytest.raises(export.UNREADABLE, match="the gzip stream ends early"):
        cut.read()  # type: ignore[misc]
    with pytest.raises(export.UNREADABLE, match=r"^not a gzip file$"):
        plain.read()  # type: ignore[misc]


def test_a_gzip_of_more_members_than_any_activity_file_is_refused(tmp_path: Path) -> None:
    """A .fit.gz of empty members (20 bytes each) inflated to nothing, members by millions:
    ~20 s for a 200 MB file, then read as an empty file. Refused past MAX_GZIP_MEMBERS,
    before inflating more; as many members as that, each with data, are read. The refusal
    says how many members a real one holds: bgzip's hold hundreds, not "one, or a few"."""
    most = export.MAX_GZIP_MEMBERS
    (tmp_path / "empty.fit.gz").write_bytes(gzip.compress(b"", mtime=0) * (most + 1))
    (tmp_path / "bgzip.fit.gz").write_bytes(b"".join(gzip.compress(bytes([i % 256]), mtime=0)
                                                     for i in range(most)))
    empty, blocks = export.walk([tmp_path / "empty.fit.gz", tmp_path / "bgzip.fit.gz"])
    assert export.payload(empty) == (None, f"refused: more than {most} gzip members (a .fit.gz "
                                           "holds one, a few joined, or one per bgzip block "
                                           f"of at most 65536 bytes: 65 MB in {most}, past "
                                           "any activity): not an activity file")
    assert blocks.read is not None and blocks.read() == bytes(i % 256 for i in range(most))


def test_the_limits_hold_for_all_members_together(tmp_path: Path) -> None:
    limits = export.Limits(member_bytes=10_000, ratio=10**6, ratio_from_bytes=10**6)
    (tmp_path / "many.fit.gz").write_bytes(gzip.compress(bytes(4_000)) * 3)  # 12,000 in all
    [many] = export.walk([tmp_path / "many.fit.gz"], limits)
    with pytest.raises(export.MemberRefused,
                       match=r"^more than 10000 bytes once unpacked \(the limit for one file\)$"):
        many.read()  # type: ignore[misc]


def test_links_loops_and_names_no_file_can_have_walk_as_pathlib_sees_them(tmp_path: Path,
                                                                          ) -> None:
    """The walk's one stat a path says "no such file or folder" where `Path.exists()` is
    False (a dangling link, a link loop, a file taken for a folder, a NUL in the name), follows
    links to files and folders, walks a folder named .zip as a folder, and raises what
    `exists()` raises (a name too long): in a folder, a link to nothing is passed over."""
    (tmp_path / "run.fit").write_bytes(b"R")
    (tmp_path / "link.fit").symlink_to(tmp_path / "run.fit")
    (tmp_path / "gone.fit").symlink_to(tmp_path / "nowhere.fit")
    (tmp_path / "loop.fit").symlink_to(tmp_path / "loop.fit")
    (tmp_path / "runs.zip").mkdir()
    (tmp_path / "runs.zip" / "in.fit").write_bytes(b"I")
    (tmp_path / "folder").symlink_to(tmp_path / "runs.zip")
    missing = [tmp_path / "gone.fit", tmp_path / "loop.fit", tmp_path / "run.fit" / "x.fit",
               Path(f"{tmp_path}/nul\0.fit")]
    found = _labels_and_bytes([*missing, tmp_path / "link.fit", tmp_path / "folder"])
    assert found == [*((str(path), "no such file or folder") for path in missing),
                     (str(tmp_path / "link.fit"), b"R"),
                     (str(tmp_path / "folder" / "in.fit"), b"I")]
    assert _labels_and_bytes([tmp_path]) == [(str(tmp_path / name), data) for name, data in [
        ("link.fit", b"R"), ("run.fit", b"R"), ("runs.zip/in.fit", b"I")]]
    with pytest.raises(OSError, match="too long"):
        _labels_and_bytes([tmp_path / ("x" * 300)])
