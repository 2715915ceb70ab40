"""Atomic claims on run folders, so two workers never write the same run.

A worker owns run ``NAME`` while it holds ``claims/NAME.claim``, created with
``O_CREAT | O_EXCL`` (atomic on local file systems and on NFSv3+/Lustre/GPFS). The file holds
the worker's host, pid and a random token, and the worker touches it every
:data:`HEARTBEAT_S` seconds. A claim is stale, and may be taken over, when its heartbeat is
older than ``stale_after`` seconds, or at once when it was made on this host by a process that
no longer exists. A takeover renames the stale file away (atomic) before claiming afresh.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

#: Seconds between heartbeats of a live claim.
HEARTBEAT_S = 20.0
#: Default age (s) of the last heartbeat after which a claim is stale.
STALE_AFTER_S = 120.0


@dataclass
class Claim:
    """A held claim."""

    path: Path
    token: str

    def release(self) -> None:
        """Give the run up (only if the file is still ours)."""
        if _read(self.path).get("token") == self.token:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    @contextlib.contextmanager
    def heartbeat(self, interval: float = HEARTBEAT_S):
        """Touch the claim file every ``interval`` seconds while the block runs."""
        stop = threading.Event()

        def beat():
            while not stop.wait(interval):
                with contextlib.suppress(OSError):
                    os.utime(self.path)

        thread = threading.Thread(target=beat, name="femsi-claim-heartbeat", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join(timeout=1.0)


def claim_path(sweep_dir: Path, name: str) -> Path:
    """The claim file of run ``name``."""
    return Path(sweep_dir) / "claims" / f"{name}.claim"


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def holder(path: Path, stale_after: float = STALE_AFTER_S) -> dict | None:
    """The live holder of a claim file, or None when it is absent or stale."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    info = _read(path)
    if age > stale_after:
        return None
    if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int):
        try:
            os.kill(info["pid"], 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
    return info or {"host": "?", "pid": None}


def try_claim(sweep_dir: Path, name: str, stale_after: float = STALE_AFTER_S) -> Claim | None:
    """Claim run ``name`` for this process.

    Args:
        sweep_dir: The sweep folder.
        name: The run name.
        stale_after: Age in seconds of a heartbeat after which a claim is taken over.

    Returns:
        The claim, or None when another live worker holds it.
    """
    path = claim_path(sweep_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    info = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "token": token,
        "claimed": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "slurm_job": os.environ.get("SLURM_JOB_ID"),
        "slurm_array_task": os.environ.get("SLURM_ARRAY_TASK_ID"),
    }
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if holder(path, stale_after) is not None or not _take_over(path, stale_after):
                return None
            continue
        with os.fdopen(fd, "w") as stream:
            json.dump(info, stream)
        return Claim(path, token)
    return None


def _take_over(path: Path, stale_after: float) -> bool:
    """Move a stale claim away; False if someone else got there first."""
    stale = _read(path)
    aside = path.with_name(f"{path.name}.stale-{secrets.token_hex(4)}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return True  # already moved by another worker: race for O_EXCL again
    moved = _read(aside)
    if moved.get("token") != stale.get("token") or holder(aside, stale_after) is not None:
        # We moved a fresh claim another worker had just made: put it back.
        with contextlib.suppress(OSError):
            os.link(aside, path)
        aside.unlink(missing_ok=True)
        return False
    logger.info("took over the stale claim of %s (%s)", path.stem, stale)
    aside.unlink(missing_ok=True)
    return True
