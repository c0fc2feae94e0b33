"""The web page's password: a scrypt hash in the home (mode 0600), never the password itself,
and the check of a login attempt against it; and the key that signs the session cookies."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from jobs.files import create_private_once, write_private
from jobs.home import Home

LOGIN_HASH_FILE = "web-login.scrypt"
SESSION_KEY_FILE = "web-session.key"
SESSION_KEY_CHARS = 43  # secrets.token_urlsafe(32): 256 random bits
N, R, P, KEY_BYTES = 2**14, 8, 1, 32  # scrypt's cost: ~16 MB and a few tens of ms a check
MIN_LENGTH = 10


class PasswordError(ValueError):
    """The password cannot be set; the message says why."""


def password_path(home: Home) -> Path:
    return home.config.paths.data_dir / LOGIN_HASH_FILE


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * n * r * p, dklen=KEY_BYTES)


def set_password(home: Home, password: str) -> Path:
    """Store the password's scrypt hash (a fresh salt each time) in the home, mode 0600."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password needs at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(16)
    line = f"scrypt${N}${R}${P}${salt.hex()}${_hash(password, salt, N, R, P).hex()}\n"
    home.folder()  # a new home's: the owner's alone
    path = password_path(home)
    write_private(path, line.encode("ascii"))
    return path


def has_password(home: Home) -> bool:
    return password_path(home).is_file()


def check_password(home: Home, password: str) -> bool:
    """True when `password` is the stored one (constant-time compare); False without one."""
    try:
        kind, n, r, p, salt, digest = password_path(home).read_text("ascii").strip().split("$")
    except (OSError, ValueError):
        return False
    if kind != "scrypt":
        return False
    got = _hash(password, bytes.fromhex(salt), int(n), int(r), int(p))
    return hmac.compare_digest(got, bytes.fromhex(digest))


def session_key(home: Home) -> str:
    """The key that signs the session cookies: made once with `secrets` and kept in the home
    (mode 0600), so a restart, or a second process on the same home (`daemon --serve` beside
    `serve`), keeps everyone logged in. A key too short to trust is made again."""
    path = home.folder() / SESSION_KEY_FILE
    key = _read_key(path)
    if key is None:
        fresh = secrets.token_urlsafe(32).encode("ascii")
        if path.exists():  # unusable (truncated, edited): replaced
            write_private(path, fresh)
        else:
            create_private_once(path, fresh)  # two apps starting at once share one key
        key = _read_key(path)
        if key is None:
            raise OSError(f"cannot keep the web session key in {path}")
    return key


def _read_key(path: Path) -> str | None:
    try:
        key = path.read_text("ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return key if len(key) >= SESSION_KEY_CHARS else None
