"""The web page's password: a scrypt hash in the home (mode 0600), never the password itself,
and the check of a login attempt against it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from jobs.files import write_private
from jobs.home import Home

LOGIN_HASH_FILE = "web-login.scrypt"
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
