"""ingest/garmin.py through the real garminconnect code path, Garmin faked with `responses`:
backoff, Retry-After, auth stops, malformed bodies, tokens on disk, login with MFA."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import garminconnect
import pytest
import requests
from typer.testing import CliRunner

from demo.fitwrite import LapSpec, run_fit
from ingest import garmin, garmin_login
from ingest.garmin import (
    GarminAuthError,
    GarminBadBody,
    GarminError,
    GarminKeptFailing,
    GarminNoData,
    GarminRateLimited,
    GarminUnavailable,
    Policy,
)
from jobs.config import Paths
from stridelift.cli import app
from tests import pause_at
from tests.garmin_fake import FakeGarmin, connect_without_login, fast_policy, mocked, zipped

HRV = r"/hrv-service/hrv/"
DAY = "2025-07-07"
SECRET_TOKEN = "SECRET-DI-TOKEN-4242"
PASSWORD = "hunter2-PASSWORD"
runner = CliRunner()


def _json(body: Any, status: int = 200, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


@pytest.fixture
def fake() -> Iterator[FakeGarmin]:
    fake = FakeGarmin()
    with mocked(fake):
        yield fake


def _hrv(conn: garmin.Connect) -> Any:
    return conn.call(f"hrv {DAY}", conn.api.get_hrv_data, DAY)


def _hits(fake: FakeGarmin, fragment: str) -> int:
    return sum(fragment in path for path in fake.calls)


# -- faults ----------------------------------------------------------------------------------


def test_429_then_200_honours_retry_after(fake: FakeGarmin) -> None:
    sleeps: list[float] = []
    fake.fail(HRV, _json({"message": "slow down"}, 429, **{"Retry-After": "7"}))
    body = _hrv(connect_without_login(fast_policy(sleeps)))
    assert body["hrvSummary"]["status"] == "BALANCED"
    assert _hits(fake, HRV) == 2
    assert sleeps == [pytest.approx(7.0)]  # max(backoff ~0.01 s, Retry-After 7 s)


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2025, 7, 7, 12, 0, 0, tzinfo=UTC)
    assert garmin.parse_retry_after("Mon, 07 Jul 2025 12:00:30 GMT", now) == 30.0
    assert garmin.parse_retry_after("120", now) == 120.0
    assert garmin.parse_retry_after("soon", now) is None
    assert garmin.parse_retry_after(None, now) is None


def test_a_retry_after_beyond_the_cap_ends_the_run_without_sleeping(fake: FakeGarmin) -> None:
    sleeps: list[float] = []
    fake.fail(HRV, _json({}, 429, **{"Retry-After": "3600"}))
    with pytest.raises(GarminRateLimited, match="asks to wait 3600 s"):
        _hrv(connect_without_login(fast_policy(sleeps)))
    assert sleeps == [] and _hits(fake, HRV) == 1


def test_repeated_500s_are_bounded_with_growing_jittered_waits(fake: FakeGarmin) -> None:
    sleeps: list[float] = []
    policy = Policy(attempts=5, base_s=1.0, max_wait_s=6.0, pace_s=0.0, sleep=sleeps.append)
    fake.fail(HRV, *[_json({"message": "boom"}, 500)] * 10)
    with pytest.raises(GarminKeptFailing) as caught:  # down, not rate-limited
        _hrv(connect_without_login(policy))
    assert _hits(fake, HRV) == 5
    message = str(caught.value)
    assert "HTTP 500" in message and "after 5 attempts" in message and "\n" not in message
    assert len(sleeps) == 4
    for attempt, wait in enumerate(sleeps):  # 1, 2, 4, 8 (capped at 6) plus jitter below 1
        assert min(2**attempt, 6.0) <= wait <= min(2**attempt + 1.0, 6.0)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_other_5xx_are_retried(fake: FakeGarmin, status: int) -> None:
    fake.fail(HRV, _json({}, status))
    assert _hrv(connect_without_login())["hrvSummary"]
    assert _hits(fake, HRV) == 2


def test_timeouts_are_retried(fake: FakeGarmin) -> None:
    fake.fail(HRV, requests.exceptions.ReadTimeout("read timed out"),
              requests.exceptions.ConnectionError("reset"))
    assert _hrv(connect_without_login())["hrvSummary"]
    assert _hits(fake, HRV) == 3


def test_timeouts_forever_end_with_a_clear_error(fake: FakeGarmin) -> None:
    fake.fail(HRV, *[requests.exceptions.ReadTimeout("read timed out")] * 4)
    with pytest.raises(GarminUnavailable, match=r"hrv 2025-07-07 \(timed out\) after 4"):
        _hrv(connect_without_login())


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_stop_with_the_login_hint(fake: FakeGarmin, status: int) -> None:
    fake.fail(HRV, *[_json({"message": "unauthorized"}, status)] * 2)
    with pytest.raises(GarminAuthError) as caught:
        _hrv(connect_without_login())
    assert str(caught.value).endswith("run `stridelift login`")
    assert _hits(fake, HRV) <= 2  # garminconnect itself tries once more after a 401


@pytest.mark.parametrize("body", [b"{not json", b"", b"<html>maintenance</html>"])
def test_malformed_or_empty_bodies_are_reported_not_retried(fake: FakeGarmin,
                                                            body: bytes) -> None:
    fake.fail(HRV, (200, {"Content-Type": "application/json"}, body))
    with pytest.raises(GarminBadBody, match="not JSON"):
        _hrv(connect_without_login())
    assert _hits(fake, HRV) == 1


def test_204_no_data_is_an_empty_dict(fake: FakeGarmin) -> None:
    fake.fail(HRV, (204, {}, b""))
    assert _hrv(connect_without_login()) == {}


def test_404_is_no_data(fake: FakeGarmin) -> None:
    fake.fail(HRV, _json({"message": "no such thing"}, 404))
    with pytest.raises(GarminNoData, match="answered 404"):
        _hrv(connect_without_login())
    assert _hits(fake, HRV) == 1


def test_status_is_read_out_of_garminconnect_messages() -> None:
    conn_error = garminconnect.GarminConnectConnectionError
    assert garmin.http_status(conn_error("HTTP error: API Error 503 - {}")) == 503
    assert garmin.http_status(conn_error("API client error (404): x")) == 404
    assert garmin.http_status(conn_error("Connection error: port=443")) is None
    assert garmin.http_status(garminconnect.GarminConnectTooManyRequestsError("x")) == 429


def test_pacing_between_calls(fake: FakeGarmin) -> None:
    sleeps: list[float] = []
    conn = connect_without_login(Policy(pace_s=30.0, sleep=sleeps.append))
    _hrv(conn)
    _hrv(conn)
    assert len(sleeps) == 1 and 29.0 < sleeps[0] <= 30.0


def test_a_syncs_calls_keep_the_pace_of_the_connection(fake: FakeGarmin) -> None:
    """A sync's calls (PassingOver) are the connection's: the first went out at once after the
    login's profile call, and a push after the sync did not wait for the sync's last call."""
    sleeps: list[float] = []
    conn = connect_without_login(Policy(pace_s=30.0, sleep=sleeps.append))
    _hrv(conn)
    _hrv(garmin.PassingOver(conn))
    _hrv(conn)
    assert len(sleeps) == 2 and all(29.0 < wait <= 30.0 for wait in sleeps)


def test_pace_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(garmin.ENV_PACE, "0")
    assert Policy.from_env().pace_s == 0.0
    monkeypatch.setenv(garmin.ENV_PACE, "fast")
    with pytest.raises(GarminError, match="not a number"):
        Policy.from_env()


def test_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(garmin.ENV_BASE_URL, "http://127.0.0.1:9/")
    assert garmin.new_api().client._connectapi == "http://127.0.0.1:9"
    monkeypatch.delenv(garmin.ENV_BASE_URL)
    assert garmin.new_api().client._connectapi == "https://connectapi.garmin.com"


# -- downloads -------------------------------------------------------------------------------

FIT = run_fit(datetime(2025, 7, 7, 6, tzinfo=UTC), [LapSpec(60, 3.0, 140)])


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_extract_fit_reads_only_fit_members_and_never_uses_their_names(tmp_path: Path,
                                                                       monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    data = _zip({"../../evil.txt": b"x", "notes.json": b"{}", "../../../tmp/x/1_ACTIVITY.fit": FIT})
    assert garmin.extract_fit(data) == FIT
    assert list(tmp_path.iterdir()) == []
    assert garmin.extract_fit(FIT) == FIT  # a bare FIT download is accepted too


def _corrupt_deflate() -> bytes:
    data = bytearray(zipped("1.fit", FIT))
    data[60:120] = bytes(60)  # inside the compressed stream: inflating it fails
    return bytes(data)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04broken", b"<html/>", _corrupt_deflate(),
                                  _zip({"a.txt": b"hello"}), _zip({"fake.fit": b"not a fit"})])
def test_extract_fit_refuses_what_holds_no_fit(data: bytes) -> None:
    assert garmin.extract_fit(data) is None


def test_extract_fit_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(garmin, "MAX_MEMBER_BYTES", len(FIT) - 1)
    assert garmin.extract_fit(zipped("1.fit", FIT)) is None
    monkeypatch.setattr(garmin, "MAX_DOWNLOAD_BYTES", 10)
    assert garmin.extract_fit(zipped("1.fit", b"x")) is None


# -- tokens ----------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_tokens_are_0600_in_a_0700_dir_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = garmin_login.save_tokens(tmp_path / "tokens" / "anna", '{"di_token": "t"}')
    finally:
        os.umask(old)
    assert (_mode(path), _mode(path.parent), _mode(path.parent.parent)) == (0o600, 0o700, 0o700)
    assert [p.name for p in path.parent.iterdir()] == ["garmin_tokens.json"]


def _tokens_killed_before_rename(folder: Path, marker: Path) -> Path:
    """save_tokens run as a process of its own, killed once the tokens' temporary copy is
    written, before its rename: the copy it leaves."""
    save = ("import sys, tests.pause_at\nfrom pathlib import Path\nfrom ingest import "
            "garmin_login\ngarmin_login.save_tokens(Path(sys.argv[1]), sys.argv[2])")
    pause_at.killed_at([str(folder), json.dumps({"di_token": SECRET_TOKEN})],
                       garmin_login.TOKEN_FILE, marker, [sys.executable, "-c", save])
    [left] = folder.glob(f".{garmin_login.TOKEN_FILE}.*.tmp")
    return left


@pytest.mark.parametrize("then", ["login", "sync", "db check"])
def test_the_tokens_copy_a_killed_save_left_is_removed_where_the_tokens_are_used(
        fake: FakeGarmin, athlete: Path, tmp_path: Path, then: str) -> None:
    """save_tokens killed between writing the tokens' temporary copy and its rename left the
    copy, the login's tokens, for good: no sweep looked there. Saving the tokens again,
    reading them for a sync, or `db check` (which names it) removes it; the tokens stay
    0600."""
    folder = athlete  # the athlete's tokens folder
    path = garmin_login.save_tokens(folder, json.dumps({"di_token": SECRET_TOKEN}))
    left = _tokens_killed_before_rename(folder, tmp_path / "paused")
    if then == "login":
        garmin_login.save_tokens(folder, json.dumps({"di_token": SECRET_TOKEN}))
    elif then == "sync":
        garmin_login.connect(folder, fast_policy())
    else:
        checked = runner.invoke(app, ["db", "check"])
        assert checked.exit_code == 0 and str(left) in checked.stdout
    assert [p.name for p in folder.iterdir()] == [path.name] and _mode(path) == 0o600


def test_connect_without_saved_tokens_asks_for_login(tmp_path: Path) -> None:
    with pytest.raises(GarminAuthError, match="run `stridelift login`"):
        garmin_login.connect(tmp_path / "tokens" / "anna")


@pytest.mark.parametrize("content", ["not json", "[]", '{"di_token": null}'])
def test_unusable_token_files_are_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "garmin_tokens.json").write_text(content)
    with pytest.raises(GarminAuthError, match="token"):
        garmin_login.read_token_text(tmp_path)


def test_connect_loads_tokens_tightens_modes_and_sets_the_display_name(
        fake: FakeGarmin, tmp_path: Path) -> None:
    folder = tmp_path / "tokens" / "anna"
    path = garmin_login.save_tokens(folder, json.dumps({"di_token": SECRET_TOKEN}))
    path.chmod(0o644)
    conn = garmin_login.connect(folder, fast_policy())
    assert conn.api.display_name == "runner" and _mode(path) == 0o600
    assert _hits(fake, "socialProfile") == 1


@pytest.mark.parametrize("reply", [(200, {"Content-Type": "text/html"}, b"<html>sign in</html>"),
                                   (404, {}, b"")])
def test_a_profile_garmin_cannot_give_now_says_to_try_again(
        fake: FakeGarmin, tmp_path: Path, reply: tuple[int, dict[str, str], bytes]) -> None:
    """Every call of a sync needs the display name: without it the run cannot start, and the
    line said what failed but not what to do."""
    folder = tmp_path / "tokens" / "anna"
    garmin_login.save_tokens(folder, json.dumps({"di_token": SECRET_TOKEN}))
    fake.fail("socialProfile", reply)
    with pytest.raises(GarminError, match=r"^the user profile: .*; try again later$"):
        garmin_login.connect(folder, fast_policy())


# -- login -----------------------------------------------------------------------------------


class FakeLogin:
    """Stands in for garminconnect's SSO strategies (curl_cffi, which `responses` cannot see)."""

    def __init__(self, outcome: str = "mfa") -> None:
        self.outcome, self.logins = outcome, 0
        self.codes: list[str] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeLogin:
        def login(client: Any, email: str, password: str, **_: Any) -> tuple[Any, None]:
            return self.login(client, email, password)

        def complete(client: Any, code: str) -> None:
            self.complete(client, code)

        monkeypatch.setattr(garminconnect.client.Client, "login", login)
        monkeypatch.setattr(garminconnect.client.Client, "_complete_mfa", complete)
        return self

    def login(self, client: Any, email: str, password: str) -> tuple[Any, None]:
        self.logins += 1
        if self.outcome == "429":
            raise garminconnect.GarminConnectTooManyRequestsError(f"429 for {password}")
        if self.outcome == "bad":
            raise garminconnect.GarminConnectAuthenticationError(f"wrong {password}")
        if self.outcome == "mfa":
            return "needs_mfa", None
        client.di_token = SECRET_TOKEN
        return None, None

    def complete(self, client: Any, code: str) -> None:
        self.codes.append(code)
        client.di_token = SECRET_TOKEN


def test_login_with_mfa_saves_tokens_never_the_password(
        fake: FakeGarmin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sso = FakeLogin("mfa").install(monkeypatch)
    folder = tmp_path / "tokens" / "anna"
    name = garmin_login.login(folder, "anna@example.com", PASSWORD, lambda: " 123456 \n",
                              fast_policy())
    assert name == "runner" and sso.logins == 1 and sso.codes == ["123456"]
    text = garmin_login.token_file(folder).read_text()
    assert json.loads(text)["di_token"] == SECRET_TOKEN
    assert PASSWORD not in text and PASSWORD not in caplog.text
    assert SECRET_TOKEN not in caplog.text
    assert _mode(garmin_login.token_file(folder)) == 0o600 and _mode(folder) == 0o700


@pytest.mark.parametrize(("outcome", "error", "words"), [
    ("429", GarminRateLimited, "limiting logins"), ("bad", GarminAuthError, "refused the login")])
def test_login_failures_are_one_line_without_secrets(
        fake: FakeGarmin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outcome: str,
        error: type[Exception], words: str) -> None:
    sso = FakeLogin(outcome).install(monkeypatch)
    with pytest.raises(error) as caught:
        garmin_login.login(tmp_path / "t", "anna@example.com", PASSWORD, lambda: "1", fast_policy())
    assert words in str(caught.value) and PASSWORD not in str(caught.value)
    assert caught.value.__suppress_context__  # the upstream message is not chained in
    assert sso.logins == 1 and not (tmp_path / "t").exists()


def test_login_survives_garmin_failing_to_confirm_the_profile(
        fake: FakeGarmin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    FakeLogin("ok").install(monkeypatch)
    fake.fail("socialProfile", *[_json({}, 503)] * 4)
    assert garmin_login.login(tmp_path / "t", "a@b.c", PASSWORD, lambda: "1", fast_policy()) is None
    assert garmin_login.token_file(tmp_path / "t").exists()


# -- the CLI ---------------------------------------------------------------------------------

INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "186", "--rest-hr", "48", "--runs", "mon=easy,sat=long"]


@pytest.fixture
def athlete(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(garmin.ENV_PACE, "0")
    assert runner.invoke(app, INIT).exit_code == 0
    return Paths.resolve().tokens_dir("anna")


def test_cli_login_prompts_for_email_password_and_mfa(
        fake: FakeGarmin, athlete: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sso = FakeLogin("mfa").install(monkeypatch)
    result = runner.invoke(app, ["login"], input=f"anna@example.com\n{PASSWORD}\n654321\n")
    assert result.exit_code == 0, result.output
    assert "as runner" in result.output and PASSWORD not in result.output
    assert sso.codes == ["654321"]
    assert _mode(garmin_login.token_file(athlete)) == 0o600 and _mode(athlete) == 0o700


def test_cli_login_tokens_from_reuses_a_token_file(fake: FakeGarmin, athlete: Path,
                                                   tmp_path: Path) -> None:
    source = tmp_path / "elsewhere"
    source.mkdir()
    (source / "garmin_tokens.json").write_text(json.dumps({"di_token": SECRET_TOKEN}))
    result = runner.invoke(app, ["login", "--tokens-from", str(source)])
    assert result.exit_code == 0, result.output
    assert json.loads(garmin_login.token_file(athlete).read_text())["di_token"] == SECRET_TOKEN
    assert SECRET_TOKEN not in result.output


def test_cli_login_tokens_from_refused_tokens_are_not_kept(fake: FakeGarmin, athlete: Path,
                                                           tmp_path: Path) -> None:
    (tmp_path / "garmin_tokens.json").write_text(json.dumps({"di_token": SECRET_TOKEN}))
    fake.fail("socialProfile", *[_json({}, 401)] * 2)
    result = runner.invoke(app, ["login", "--tokens-from", str(tmp_path)])
    assert result.exit_code == 3
    assert "run `stridelift login`" in result.output and SECRET_TOKEN not in result.output
    assert not garmin_login.token_file(athlete).exists()
