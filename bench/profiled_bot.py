"""A bot under pyinstrument, switched on and off by signals: for `bench/turns.py --profile`.

`profiled_bot.py quiz` runs `quizbot run`; `profiled_bot.py echo` runs bench/echo_bot.py.

SIGUSR1 starts the profiler and SIGUSR2 stops it and saves the session, so only the
benchmark's measured window is profiled, not start-up or shutdown. Pyinstrument samples the
main thread (the event loop), with the full stack (async_mode disabled), so time spent
waiting in the selector shows as idle and can be left out. aiosqlite's worker thread is not
sampled; turns.py reports its CPU from /proc instead.

Environment: BENCH_PROFILE_OUT (the .pyisession file to write; a .txt report goes beside
it), BENCH_PROFILE_INTERVAL (seconds between samples, default 0.001), plus quizbot's own.
Needs pyinstrument in the virtual environment (`pip install pyinstrument`); it is not a
project dependency.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from pyinstrument import Profiler

_OUT = Path(os.environ["BENCH_PROFILE_OUT"])
# A timing thread makes each profiler hook cheaper than reading the clock on every call.
_profiler = Profiler(
    interval=float(os.environ.get("BENCH_PROFILE_INTERVAL", "0.001")),
    async_mode="disabled",
    use_timing_thread=True,
)


def _start(signum: int, frame: object) -> None:
    if not _profiler.is_running:
        _profiler.start()


def _stop(signum: int, frame: object) -> None:
    if _profiler.is_running:
        session = _profiler.stop()
        session.save(_OUT)
        _OUT.with_suffix(".txt").write_text(
            _profiler.output_text(unicode=True, show_all=False), encoding="utf-8"
        )


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    if sys.argv[1:] == ["echo"]:
        from echo_bot import main  # bench/ is this script's directory, so on sys.path

        sys.exit(main())
    from bot.cli import main as quizbot

    sys.exit(quizbot(["run"]))
