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

#: Regions that are solid electrolyte in a cell.
ELECTROLYTE_REGIONS = ("matrix", "separator")


def plot_cell_history(rows: list[dict], folder: Path) -> list[Path]:
    """Stack pressure and thickness change against SOC, one line per protocol step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    soc = np.array([r["soc"] for r in rows])
    pressure = np.array([r["stack_pressure_Pa"] for r in rows]) / 1e6
    thickness = np.array([r["electrode_thickness_m"] for r in rows])
    change = 100.0 * (thickness / thickness[0] - 1.0)
    steps = np.array([r["protocol_step"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for step in np.unique(steps):
        chosen = steps == step
        kind = rows[int(np.flatnonzero(chosen)[-1])]["protocol_kind"]
        label = f"step {step}: {kind}"
        axes[0].plot(soc[chosen], pressure[chosen], marker=".", label=label)
        axes[1].plot(soc[chosen], change[chosen], marker=".", label=label)
    axes[0].set(xlabel="state of charge", ylabel="stack pressure [MPa]", title="Stack pressure")
    axes[1].set(
        xlabel="state of charge",
        ylabel="electrode thickness change [%]",
        title="Electrode thickness",
    )
    for ax in axes:
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path = folder / "cell_pressure_thickness.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]


def render_cell_snapshot(snapshot: dict, folder: Path) -> list[Path]:
    """Cuts through the middle (normal y) of the deformed cell."""
    import pyvista

    from femsi.outputs.figures import snapshot_grid

    grid = snapshot_grid(snapshot).warp_by_vector("u", factor=1.0)
    xmin, xmax, ymin, ymax, zmin, zmax = grid.bounds
    centre = ((xmin + xmax) / 2, (ymin + ymax) / 2, (zmin + zmax) / 2)
    electrolyte = [tag for name, tag in snapshot["regions"].items() if name in ELECTROLYTE_REGIONS]
    views = [("cut_hydrostatic", grid, "hydrostatic_stress_Pa", "hydrostatic stress [Pa]")]
    if electrolyte:
        only = grid.extract_cells(np.flatnonzero(np.isin(grid.cell_data["region"], electrolyte)))
        views.append(
            ("electrolyte_max_principal", only, "max_principal_Pa", "max principal stress [Pa]")
        )
    if "damage" in snapshot["fields"]:
        views.append(("cut_damage", grid, "damage", "damage [-]"))
    written = []
    for suffix, body, scalars, title in views:
        cut = body if snapshot.get("planar") else body.slice(normal="y", origin=centre)
        if cut.n_points == 0:
            continue
        # pyvista's annotations: window_size a list, view_* wrapped by a decorator
        # mypy reads as unbound; the calls are as documented.
        plotter = pyvista.Plotter(
            off_screen=True,
            window_size=(1000, 700),  # type: ignore[arg-type]
        )
        plotter.add_mesh(
            cut,
            scalars=scalars,
            cmap="magma_r" if scalars == "damage" else "coolwarm",
            scalar_bar_args={"title": title, "vertical": True, "position_x": 0.85},
        )
        plotter.add_mesh(body.outline(), color="black")
        plotter.add_text(
            f"{snapshot['label']}  t = {snapshot['time_s']:.4g} s  SOC = {snapshot['soc']:.3f}",
            font_size=10,
        )
        if snapshot.get("planar"):
            plotter.view_xy()  # type: ignore[call-arg]  # a 2D section is its own cut
        else:
            plotter.view_xz()  # type: ignore[call-arg]
        plotter.camera.zoom(0.9)
        path = folder / f"{snapshot['label']}_{suffix}.png"
        plotter.screenshot(str(path))
        plotter.close()
        written.append(path)
    return written
