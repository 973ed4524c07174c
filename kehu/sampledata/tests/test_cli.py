"""The `kehu` command (kehu/cli.py): pass-through to manage.py, and the supervisor behind `kehu serve`."""

import os
import signal
import sys
import threading
import time

from kehu import cli

SLEEPER = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGINT, signal.SIG_DFL); time.sleep(60)",
]
NOBODY_URL = "http://127.0.0.1:9/"  # the discard port: nothing answers there


def test_other_words_pass_through_to_django(capsys):
    assert cli.main(["version"]) == 0

    import django

    assert capsys.readouterr().out.strip() == django.get_version()


def test_no_words_print_the_usage(capsys):
    assert cli.main([]) == 0

    assert "kehu serve" in capsys.readouterr().out


def test_when_one_child_dies_the_other_is_stopped_and_the_exit_code_is_not_zero():
    # given a child that fails at once and one that would run for a minute
    children = {
        "failing": ([sys.executable, "-c", "import sys; sys.exit(3)"], signal.SIGTERM),
        "sleeper": (SLEEPER, signal.SIGTERM),
    }
    before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()

    # when they are supervised
    code = cli._supervise(children, url=NOBODY_URL)

    # then the failure's code comes back quickly, and the signal handlers are restored
    assert code == 3
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_child_killed_by_a_signal_gives_128_plus_the_signal():
    children = {"killed": ([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"], signal.SIGTERM)}

    assert cli._supervise(children, url=NOBODY_URL) == 128 + 9


def test_sigterm_stops_every_child_and_exits_zero():
    # given two long-running children
    children = {"one": (SLEEPER, signal.SIGTERM), "two": (SLEEPER, signal.SIGINT)}
    before = signal.getsignal(signal.SIGTERM)

    # when the supervisor receives SIGTERM
    threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
    started = time.monotonic()
    code = cli._supervise(children, url=NOBODY_URL)

    # then it stops them and exits cleanly, well before the children would have ended
    assert code == 0
    assert time.monotonic() - started < 15
    assert signal.getsignal(signal.SIGTERM) == before


def test_url_for_the_announcement():
    assert cli._url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert cli._url("::", 8000) == "http://[::1]:8000/"
    assert cli._url("example.org", 80) == "http://example.org:80/"
