"""Figures of a finished run from its snapshots: :func:`femsi.outputs.replot.replot` for Python.

The arguments are checked and told by their Python names (``field``, ``clip``), not by the
command line's (``--field``).
"""

from __future__ import annotations

from pathlib import Path

from femsi.api.picture import Picture
from femsi.errors import InputError

#: The command line's names of replot's arguments, and their Python names.
PYTHON_NAMES = {"--field": "field", "--clip": "clip", "RUN_DIR": "run_dir", "--time": "time"}
CLIPS = ("x", "y", "z")


def draw(
    run_dir: Path,
    field: str = "von_mises",
    *,
    time: float | None = None,
    clip: str | None = None,
    deformed: bool = True,
    gif: bool = False,
    output: str | Path | None = None,
) -> Picture:
    """Render one field of a run on its body.

    Args:
        run_dir: The run folder.
        field: Any array the run's snapshots hold (full name, name without its unit suffix,
            an alias such as ``hydrostatic``, or a component such as ``u_x``).
        time: Time [s]; the nearest snapshot is drawn (default: the last).
        clip: ``x``, ``y`` or ``z``: cut the body by that plane through its centre.
        deformed: Draw the deformed shape.
        gif: An animated GIF of every snapshot instead.
        output: The image file, or a folder (default ``RUN_DIR/figures/replot``).

    Returns:
        The image written.

    Raises:
        InputError: An unknown field or clip, or a run without snapshots.
    """
    from femsi.outputs.replot import replot

    # replot checks the field against the arrays this run's snapshots hold (and lists them)
    if clip is not None and clip not in CLIPS:
        raise InputError("clip", f"unknown clip plane {clip!r}; choose x, y or z")
    try:
        written = replot(
            Path(run_dir),
            time=time,
            field=field,
            clip=clip,
            deformed=deformed,
            gif=gif,
            output=None if output is None else Path(output),
        )
    except InputError as err:
        raise InputError(PYTHON_NAMES.get(err.field, err.field), err.message) from None
    return Picture(written[0])
