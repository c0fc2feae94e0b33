"""`stridelift serve`: the local web app (the week's plan, a session to tick off, why the
plan changed, today's status, the report, the coach's view)."""

from __future__ import annotations

import ipaddress
import signal
import socket
from types import FrameType
from typing import Annotated

import typer

from jobs.home import Home
from jobs.web_login import PasswordError, has_password, set_password
from stridelift.cli.common import CommandError, console, err_console, user_errors

PROXY_HELP = (
    "To reach it from a phone away from home: keep it on 127.0.0.1 behind a reverse proxy "
    "that terminates TLS (Caddy: `reverse_proxy 127.0.0.1:8765`; nginx: `proxy_pass "
    "http://127.0.0.1:8765` with Host, X-Forwarded-For and X-Forwarded-Proto set), run "
    "`stridelift serve --set-password` once, then `stridelift serve --behind-proxy`. "
    "The README shows both configurations whole."
)


def loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


HostOpt = Annotated[str, typer.Option(help="Address to listen on. Anything but this machine "
                                      "(127.0.0.1, ::1) requires a login.")]
PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]
ProxyOpt = Annotated[bool, typer.Option(
    "--behind-proxy", help="Served through a TLS reverse proxy: login required, cookies "
    "sent over HTTPS only, the proxy's X-Forwarded-* headers trusted from 127.0.0.1.")]


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8765,
    set_password_: Annotated[bool, typer.Option(
        "--set-password", help="Set the login password (stored as a scrypt hash in the "
        "home, mode 0600), then exit.")] = False,
    behind_proxy: ProxyOpt = False,
) -> None:
    """The web app for the plan, on http://127.0.0.1:8765 by default."""
    with user_errors({PasswordError: 2}):
        home = Home.open()
        if set_password_:
            _ask_password(home)
            return
        require_login = login_needed(home, host, behind_proxy)
        listening = listen(host, port)
        home.open_db()  # a database it cannot use stops it here, not each page after
    run(home, listening, require_login=require_login, behind_proxy=behind_proxy)


def login_needed(home: Home, host: str, behind_proxy: bool) -> bool:
    """Whether the app must ask for the password; refused when it must and none is set."""
    require_login = behind_proxy or not loopback(host)
    if require_login and not has_password(home):
        raise CommandError("a login is required off this machine or behind a proxy: "
                           "run `stridelift serve --set-password` first", 2)
    return require_login


def listen(host: str, port: int) -> socket.socket:
    """The app's listening socket, opened before anything is announced or started: a port
    in use or an address not of this machine is one line, not a server log after a claim
    that it runs. A name listens on its first address (localhost: 127.0.0.1)."""
    try:
        family, *_, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                 flags=socket.AI_PASSIVE)[0]
        return socket.create_server(address, family=family)  # resolved once, bound as found
    except OSError as exc:  # a name that does not resolve too; strerror may name the address
        why = (exc.strerror or str(exc)).partition(" (while attempting")[0]
        raise CommandError(f"cannot listen on {_shown(host)}:{port}: {why}; "
                           "stop what uses it or choose another --port/--host") from None


def run(home: Home, listening: socket.socket, *, require_login: bool,
        behind_proxy: bool) -> None:
    import uvicorn

    from stridelift.web.app import LOOPBACK_NAMES, create_app

    app = create_app(home, require_login=require_login, secure_cookies=behind_proxy,
                     allowed_hosts=None if require_login else LOOPBACK_NAMES)
    host, port = listening.getsockname()[:2]
    console.print(f"stridelift on http://{_shown(host)}:{port}/" +
                  (" (login required)" if require_login else ""), highlight=False)
    # uvicorn stops on SIGTERM/SIGINT, then hands the signal on to the handler it found:
    # this one lets the command finish (the daemon shuts its scheduler down) and exit 0.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stopped)
    config = uvicorn.Config(app, proxy_headers=behind_proxy, forwarded_allow_ips="127.0.0.1",
                            log_level="warning")
    with listening:
        uvicorn.Server(config).run(sockets=[listening])


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _stopped(signum: int, _frame: FrameType | None) -> None:
    err_console.print(f"received {signal.Signals(signum).name}: stopped", highlight=False)


def _ask_password(home: Home) -> None:
    password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    path = set_password(home, password)
    console.print(f"password hash stored in {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(epilog=PROXY_HELP)(serve)
