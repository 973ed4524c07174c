"""The `kehu` command: `kehu serve` runs the whole application; every other word goes to Django's manage.py.

kehu serve [--host H] [--port P] [--workers N]
kehu demo [--reset]
kehu token create USERNAME [--name NAME]
kehu migrate | createsuperuser | shell | ...   (any Django management command)
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

USAGE = """\
usage: kehu COMMAND [OPTIONS]

  kehu serve [--host H] [--port P] [--workers N]
                              migrate, collect static files, then run the web server (gunicorn)
                              and the background worker (huey) until Ctrl-C
  kehu demo [--reset]         load demo data into a new or empty database (DEMO ONLY)
  kehu token create USERNAME [--name NAME]
                              print a new personal API token
  kehu createsuperuser        ... or any other Django management command
  kehu help                   list every command
"""

STOP_TIMEOUT = 30  # seconds the children get to stop before they are killed
GRACEFUL_TIMEOUT = 20  # gunicorn's own limit for finishing requests in flight


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args[0] == "serve":
        return serve(args[1:])
    if args[:2] == ["help", "serve"]:
        return serve(["--help"])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kehu", *args])
    return 0


# --- kehu serve ---------------------------------------------------------------------------------------


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kehu serve",
        description="Migrate, collect static files, then run gunicorn and the huey worker until stopped.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default: 2)")
    opts = parser.parse_args(argv)
    if opts.workers < 1:
        parser.error("--workers must be 1 or more")
    _prepare()
    bind = f"[{opts.host}]:{opts.port}" if ":" in opts.host else f"{opts.host}:{opts.port}"
    children = {
        "web server (gunicorn)": (
            [sys.executable, "-m", "gunicorn", "kehu.wsgi:application", "--bind", bind,
             "--workers", str(opts.workers), "--graceful-timeout", str(GRACEFUL_TIMEOUT),
             "--access-logfile", "-", *_gunicorn_extra_args()],
            signal.SIGTERM,  # gunicorn: finish requests in flight, then stop
        ),
        "worker (huey)": (
            [sys.executable, "-m", "kehu.cli", "run_huey"],
            signal.SIGINT,  # huey: finish running tasks, then stop (SIGTERM would abandon them)
        ),
    }  # fmt: skip
    return _supervise(children, url=_url(opts.host, opts.port))


def _gunicorn_extra_args() -> list[str]:
    """Gunicorn 27 opens a control socket in ~/.gunicorn/ by default; two servers would share it."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


def _prepare() -> None:
    """Bring the database schema and the collected static files up to date, in this process."""
    import django

    django.setup()
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.db import connections

    print("kehu serve: applying database migrations…", flush=True)
    call_command("migrate", interactive=False, verbosity=1)
    if not finders.find("vendor/bootstrap/bootstrap.min.css"):
        print(
            "kehu serve: WARNING: the front-end assets are missing (kehu/static/vendor/); pages will have no "
            "styles. Run `npm ci && scripts/copy-assets` (or `make assets`) in the source tree.",
            file=sys.stderr,
        )
    print("kehu serve: collecting static files…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()


def _url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """On Linux, have the kernel send SIGTERM to the child if `kehu serve` itself is killed (-9)."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _supervise(children: dict[str, tuple[list[str], signal.Signals]], *, url: str) -> int:
    """Run the children until a signal asks us to stop (exit 0) or one of them dies (stop all, exit 1+)."""
    requested: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        requested.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        return _run(children, url=url, requested=requested)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(children: dict[str, tuple[list[str], signal.Signals]], *, url: str, requested: list[int]) -> int:
    # Each child gets its own process group: a Ctrl-C reaches only us, and we stop the children in order.
    processes = {
        name: subprocess.Popen(cmd, process_group=0, preexec_fn=_die_with_parent)  # single-threaded here
        for name, (cmd, _stop) in children.items()
    }
    stops = {name: stop for name, (_cmd, stop) in children.items()}
    announced = False
    while not requested:
        for name, process in processes.items():
            code = process.poll()
            if code is not None:
                print(f"kehu serve: the {name} exited with code {code}; stopping the rest.", file=sys.stderr)
                _stop(processes, stops)
                return 128 - code if code < 0 else code or 1  # killed by a signal: 128 + its number
        if not announced and _answers(url):
            print(f"\nKehu is running at {url}  (Ctrl-C stops it)\n", flush=True)
            announced = True
        time.sleep(0.2)
    print(f"\nkehu serve: {signal.Signals(requested[0]).name} received; stopping…", flush=True)
    _stop(processes, stops)
    print("kehu serve: stopped.", flush=True)
    return 0


def _answers(url: str) -> bool:
    host, _, port = url.removeprefix("http://").rstrip("/").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=0.2):
            return True
    except OSError:
        return False


def _stop(processes: dict[str, subprocess.Popen], stops: dict[str, signal.Signals]) -> None:
    for name, process in processes.items():
        if process.poll() is None:
            process.send_signal(stops[name])
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, process in processes.items():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"kehu serve: the {name} did not stop in {STOP_TIMEOUT} s; killing it.", file=sys.stderr)
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
