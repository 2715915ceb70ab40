"""Pictures of a cell in its fixture: pressure and thickness against SOC, cuts through it.

- ``cell_pressure_thickness.png``: stack pressure and electrode thickness change against
  state of charge (what a load cell and a displacement gauge on the fixture record).
- ``<label>_cut_hydrostatic.png``: a vertical cut through the middle of the deformed cell,
  coloured by hydrostatic stress (particles in compression, the solid electrolyte around them).
- ``<label>_electrolyte_max_principal.png``: the same cut through the solid electrolyte only
  (matrix and separator), coloured by the maximum principal stress: tension there is where
  the electrolyte would crack.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from femsi.outputs.field_pictures import PLANAR, Picture, View, field_picture, spec_for
from femsi.outputs.style import (
    STEP_NOUNS,
    apply_matplotlib_style,
    format_value,
    snapshot_title,
    step_phrase,
    unit_of_data,
)

#: Regions that are solid electrolyte in a cell.
ELECTROLYTE_REGIONS = ("matrix", "separator")


def plot_cell_history(rows: list[dict], folder: Path) -> list[Path]:
    """Stack pressure and thickness change against SOC, one line per protocol step.

    Lithiation steps are solid, delithiation dashed, other steps (preload, rest) dotted;
    the pressure is in MPa or kPa by magnitude.
    """
    apply_matplotlib_style()
    import matplotlib.pyplot as plt

    soc = np.array([r["soc"] for r in rows])
    pressure_si = np.array([r["stack_pressure_Pa"] for r in rows])
    pressure = unit_of_data("stress", pressure_si)
    thickness = np.array([r["electrode_thickness_m"] for r in rows])
    change = 100.0 * (thickness / thickness[0] - 1.0)
    steps = np.array([r["protocol_step"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for step in np.unique(steps):
        chosen = steps == step
        kind = rows[int(np.flatnonzero(chosen)[-1])]["protocol_kind"]
        style = {"lithiate": "-", "delithiate": "--"}.get(kind, ":")
        label = f"step {step}: {STEP_NOUNS.get(kind, kind)}"
        colour = f"C{int(step) % 10}"
        axes[0].plot(soc[chosen], pressure(pressure_si[chosen]), style, color=colour,
                     marker=".", ms=3, label=label)  # fmt: skip
        axes[1].plot(soc[chosen], change[chosen], style, color=colour, marker=".", ms=3,
                     label=label)  # fmt: skip
    axes[0].set(xlabel="state of charge", ylabel=f"stack pressure [{pressure.label}]",
                title="Stack pressure (compression positive)")  # fmt: skip
    axes[1].set(
        xlabel="state of charge",
        ylabel="electrode thickness change [%]",
        title="Electrode thickness",
    )
    for ax in axes:
        ax.legend()
    fig.tight_layout()
    path = folder / "cell_pressure_thickness.png"
    fig.savefig(path)
    plt.close(fig)
    return [path]


def render_cell_snapshot(snapshot: dict, folder: Path) -> list[Path]:
    """Cuts through the middle (normal y) of the deformed cell."""
    from femsi.outputs.figures import snapshot_grid

    grid = snapshot_grid(snapshot).warp_by_vector("u", factor=1.0)
    xmin, xmax, ymin, ymax, zmin, zmax = grid.bounds
    centre = ((xmin + xmax) / 2, (ymin + ymax) / 2, (zmin + zmax) / 2)
    electrolyte = [tag for name, tag in snapshot["regions"].items() if name in ELECTROLYTE_REGIONS]
    views = [("cut_hydrostatic", grid, "hydrostatic_stress_Pa", "")]
    if electrolyte:
        only = grid.extract_cells(np.flatnonzero(np.isin(grid.cell_data["region"], electrolyte)))
        views.append(("electrolyte_max_principal", only, "max_principal_Pa", "solid electrolyte"))
    if "damage" in snapshot["fields"]:
        views.append(("cut_damage", grid, "damage", ""))
    planar = bool(snapshot.get("planar"))
    if planar:
        view = View(PLANAR.direction, PLANAR.viewup, lit=False, note="deformed section")
    else:
        where = format_value(centre[1], "length")
        view = View(
            (0.0, -1.0, 0.0), (0.0, 0.0, 1.0), lit=False, note=f"deformed cell, cut at y = {where}"
        )
    phrase = step_phrase(snapshot["label"])
    written = []
    for suffix, body, scalars, part in views:
        cut = body if planar else body.slice(normal="y", origin=centre)
        if cut.n_points == 0:
            continue
        spec = spec_for(scalars)
        cut.point_data["value"] = spec.values(np.asarray(cut.point_data[scalars]))
        quantity = f"{spec.quantity} in the {part}" if part else spec.quantity
        title = snapshot_title(quantity, snapshot["soc"], snapshot["time_s"], phrase)
        path = folder / f"{snapshot['label']}_{suffix}.png"
        field_picture(Picture(cut, spec, title, view), path)
        written.append(path)
    return written
