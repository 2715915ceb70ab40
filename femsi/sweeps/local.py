"""Run a sweep on this machine: a pool of worker threads, each starting one run at a time.

Each run is a separate process, ``[mpirun -n K] python -m femsi sweep-task DIR INDEX``, so a
crash (or a segfault in a library) costs that run only. Its stdout and stderr go to
``DIR/logs/NAME.log``. With ``runs_per_process`` N > 1 a process does N runs in turn, which
pays the interpreter start and the imports (~2 s) once per N runs; a crash then costs the
rest of its batch until the next resume (log: ``DIR/logs/batch-FIRST-LAST.log``). Complete
runs are skipped before anything starts; runs another worker holds are left to it. Ctrl-C
stops the children (they record ``interrupted``) and the pool.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from femsi.errors import InputError
from femsi.sweeps.status import run_state
from femsi.sweeps.task import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_DONE, EXIT_FAILED

logger = logging.getLogger(__name__)


def mpirun() -> str:
    """The ``mpirun`` next to this Python (the MPICH wheel installs it there), else on PATH.

    Raises:
        InputError: No mpirun anywhere.
    """
    found = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or shutil.which("mpirun")
    if found is None:
        raise InputError("execution.ranks", "ranks > 1 needs mpirun (none next to python)")
    return found


def task_command(folder: Path, indices: list[int], ranks: int) -> list[str]:
    """The command of one local worker process."""
    command = [sys.executable, "-m", "femsi", "sweep-task", str(folder), *map(str, indices)]
    if ranks > 1:
        command = [mpirun(), "-n", str(ranks), *command]
    return command


@dataclass
class PoolResult:
    """What a local sweep did."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    wall_s: dict[str, float] = field(default_factory=dict)


class _Pool:
    def __init__(self, folder: Path, ranks: int):
        self.folder = folder
        self.ranks = ranks
        self.children: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.stopping = False

    def run_batch(self, runs: list[dict]) -> tuple[list[dict], int, float]:
        if len(runs) == 1:
            log = self.folder / "logs" / f"{runs[0]['name']}.log"
        else:
            log = self.folder / "logs" / f"batch-{runs[0]['index']}-{runs[-1]['index']}.log"
        indices = [run["index"] for run in runs]
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")  # one core per rank: no oversubscription
        t0 = time.perf_counter()
        with log.open("a") as stream:
            stream.write(f"=== femsi sweep-task {indices} at {time.ctime()}\n")
            stream.flush()
            with self.lock:
                if self.stopping:
                    return runs, EXIT_BUSY, 0.0
                child = subprocess.Popen(
                    task_command(self.folder, indices, self.ranks),
                    stdout=stream,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.folder,  # picks up DIR/dolfinx_jit_options.json
                    start_new_session=True,  # Ctrl-C reaches the pool, which stops children
                )
                self.children.add(child)
            code = child.wait()
            with self.lock:
                self.children.discard(child)
        return runs, code, time.perf_counter() - t0

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            children = list(self.children)
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


def run_local(
    folder: Path,
    runs: list[dict],
    workers: int,
    ranks: int,
    progress: bool = True,
    runs_per_process: int = 1,
) -> PoolResult:
    """Run the sweep's runs with ``workers`` parallel processes of ``ranks`` MPI ranks each.

    Args:
        folder: The prepared sweep folder.
        runs: The ``runs`` entries of ``sweep.json``.
        workers: Runs at a time.
        ranks: MPI ranks per run.
        progress: Show a rich progress bar (done/failed/remaining, ETA).
        runs_per_process: Runs done in turn by one worker process.

    Returns:
        Names of the runs done, skipped (already complete), failed and busy (claimed
        elsewhere), and the wall time of each run started here (a batch's time shared out).
    """
    result = PoolResult()
    todo = []
    for run in runs:
        if run_state(folder, run).state == "complete":
            result.skipped.append(run["name"])
        else:
            todo.append(run)
    if result.skipped:
        logger.info("%d of %d runs already complete: skipped", len(result.skipped), len(runs))
    if ranks > 1:
        mpirun()
    pool = _Pool(Path(folder).resolve(), ranks)
    display = _Display(len(todo), len(result.skipped), progress)
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="femsi-sweep")
    # SIGTERM (Slurm, timeout, kill) stops the pool like Ctrl-C: the workers get SIGTERM and
    # end their runs as interrupted, instead of being orphaned by their parent's death.
    previous = _interrupt_on(signal.SIGTERM)
    try:
        batches = [todo[i : i + runs_per_process] for i in range(0, len(todo), runs_per_process)]
        futures = [executor.submit(pool.run_batch, batch) for batch in batches]
        for future in as_completed(futures):
            batch, code, wall = future.result()
            for run in batch:
                outcome = _outcome(folder, run, code if len(batch) == 1 else None)
                if outcome == EXIT_DONE:
                    result.done.append(run["name"])
                    result.wall_s[run["name"]] = wall / len(batch)
                elif outcome == EXIT_BUSY:
                    result.busy.append(run["name"])
                else:
                    result.failed.append(run["name"])
                    reason = {EXIT_FAILED: "solve failed", EXIT_BAD_INPUT: "bad input"}.get(
                        code, f"stopped (exit code {code})"
                    )
                    logger.warning("run %s: %s; see DIR/logs/", run["name"], reason)
                display.advance(run["name"], outcome)
    except KeyboardInterrupt:
        display.close()
        logger.error("sweep stopped: its running workers were asked to stop (SIGTERM)")
        pool.stop()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    display.close()
    executor.shutdown(wait=True)
    return result


def _interrupt_on(signum: int):
    """Raise KeyboardInterrupt in the main thread on ``signum``; the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum_, frame) -> None:
        raise KeyboardInterrupt(signal.Signals(signum_).name)

    return signal.signal(signum, interrupt)


def _outcome(folder: Path, run: dict, code: int | None) -> int:
    """A run's outcome: its process's exit code, or (in a batch) its state on disk."""
    if code is not None:
        return code
    state = run_state(folder, run).state
    return {"complete": EXIT_DONE, "running": EXIT_BUSY}.get(state, EXIT_FAILED)


class _Display:
    """Rich progress (done / failed / remaining, ETA) or plain log lines."""

    def __init__(self, total: int, skipped: int, enabled: bool):
        self.total, self.done, self.failed = total, 0, 0
        self.progress = None
        if enabled and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("[bold]sweep"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            )
            self.task = self.progress.add_task("sweep", total=total, counts=self._counts(skipped))
            self.skipped = skipped
            self.progress.start()

    def _counts(self, skipped: int = 0) -> str:
        left = self.total - self.done - self.failed
        text = f"done {self.done}  failed {self.failed}  remaining {left}"
        return text + (f"  (skipped {skipped} complete)" if skipped else "")

    def advance(self, name: str, code: int) -> None:
        if code == EXIT_DONE:
            self.done += 1
        elif code != EXIT_BUSY:
            self.failed += 1
        if self.progress is not None:
            self.progress.update(self.task, advance=1, counts=self._counts(self.skipped))
        else:
            outcome = {EXIT_DONE: "done", EXIT_BUSY: "claimed elsewhere"}.get(code, "failed")
            print(f"femsi sweep: {name}: {outcome} ({self._counts()})", flush=True)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
