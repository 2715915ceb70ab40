"""Run names: readable ``radius=0.5um_c_rate=2`` plus a short hash of the exact overrides.

The readable part shows the keys that vary between runs (a key with one value is in the hash
only); it may be shortened or lose characters to sanitising, and the hash keeps two different
runs from ever sharing a folder.
"""

from __future__ import annotations

import hashlib
import json
import re

#: Longest readable part of a run name (the hash is appended after it).
MAX_READABLE = 120

_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


def short_keys(keys: list[str]) -> dict[str, str]:
    """The shortest unambiguous suffix of each dotted key (``geometry.radius`` → ``radius``).

    Args:
        keys: The swept dotted keys.

    Returns:
        Key to its short label.
    """
    labels = {}
    for key in keys:
        depth = 1
        while depth < len(key.split(".")) and any(
            _suffix(key, depth) == _suffix(other, depth) for other in keys if other != key
        ):
            depth += 1
        labels[key] = sanitise(_suffix(key, depth))
    return labels


def _suffix(key: str, depth: int) -> str:
    parts = key.split(".")[-depth:]
    return ".".join(p for p in parts if not p.isdigit()) or key


def sanitise(text: str) -> str:
    """Text made safe for a folder name: ``µ`` → ``u``, spaces dropped, others → ``-``."""
    text = text.replace("µ", "u").replace("μ", "u").replace(" ", "")
    return _UNSAFE.sub("-", text).strip("-.") or "x"


def format_value(value: object) -> str:
    """A compact text of a swept value for a run name."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int | str):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def override_hash(overrides: list[str]) -> str:
    """An 8-character hash of the ``key=value`` overrides (order independent)."""
    text = "\n".join(sorted(overrides))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def run_name(parameters: dict[str, object], labels: dict[str, str], overrides: list[str]) -> str:
    """The folder name of one run.

    Args:
        parameters: Swept key to its value in this run (as written in the sweep file).
        labels: Short labels of the keys (:func:`short_keys`).
        overrides: The run's ``key=value`` overrides (hashed).

    Returns:
        ``label=value_label=value-HASH``, sanitised and at most ~90 characters.
    """
    readable = "_".join(
        f"{labels[key]}={sanitise(format_value(value))}" for key, value in parameters.items()
    )
    readable = readable[:MAX_READABLE].rstrip("_-.") or "run"
    return f"{readable}-{override_hash(overrides)}"
