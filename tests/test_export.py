from __future__ import annotations

import io
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


def _labels_and_bytes(paths: list[Path]) -> list[tuple[str, bytes | str | None]]:
    return [(f.label, f.read() if f.read else f.error) for f in export.walk(paths)]


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


def test_oversized_members_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "MAX_MEMBER_BYTES", 10)
    (tmp_path / "big.zip").write_bytes(_zip({"big.fit": b"x" * 100}))
    [found] = export.walk([tmp_path / "big.zip"])
    assert found.error is not None and "larger than 10 bytes" in found.error


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
