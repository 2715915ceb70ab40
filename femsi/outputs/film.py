"""What a substrate-curvature (Stoney) measurement of a film records, and its figure.

For a ``film`` geometry:

- ``film.mean_inplane_stress_Pa``: the volume mean of (σ_xx + σ_yy)/2 over the film region
  (Cauchy, tension positive), the quantity a wafer-curvature measurement gives through
  Stoney's equation (the stress-thickness product over the film thickness);
- ``specific_capacity_mAh_g``: SOC c_max F / (3.6 ρ), the lithium stored per gram of the
  active material (needs its ``density``; Li15Si4 in silicon is 3579 mAh/g).

``figures/film_stress_capacity.png`` plots the first against the second (or against SOC
without a density), one line per protocol step: the stress-capacity loop of Sethuraman et al.,
J. Power Sources 195 (2010) 5062, Fig. 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import femsi.compat  # noqa: F401
from femsi.parallel import ScalarForm
from femsi.solvers.protocol import FARADAY


class FilmOutputs:
    """The film columns, forms compiled once.

    Args:
        model: The coupled model of a ``film`` geometry (region ``film``).
        stress: The Cauchy stress Function the stress outputs refresh (DG).
    """

    def __init__(self, model, stress):
        m, comm = model.measures, model.mesh.comm
        dx = m.regions(["film"], m.mechanics_degree)
        self._volume = ScalarForm(1.0 * dx, comm)()
        # In-plane: x and y in 3D; x and z (along the strip) in a plane-strain 2D section.
        k = 1 if model.mesh.geometry.dim == 3 else 2
        self._inplane = ScalarForm(0.5 * (stress[0, 0] + stress[k, k]) * dx, comm)
        material = model.materials["film"]
        density = material.extra.get("density")
        self._per_soc = (
            material.max_concentration * FARADAY / (3.6 * float(density)) if density else None
        )
        self.columns = ["film.mean_inplane_stress_Pa"]
        if self._per_soc is not None:
            self.columns.append("specific_capacity_mAh_g")

    def evaluate(self, soc: float) -> dict[str, float]:
        """The columns for the current (refreshed) stress and the state of charge ``soc``."""
        row = {"film.mean_inplane_stress_Pa": self._inplane() / self._volume}
        if self._per_soc is not None:
            row["specific_capacity_mAh_g"] = soc * self._per_soc / 1000.0
        return row


def plot_stress_capacity(rows: list[dict], folder: Path) -> list[Path]:
    """In-plane film stress against capacity (mAh/g) or SOC, one line per protocol step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if "specific_capacity_mAh_g" in rows[0]:
        x = np.array([r["specific_capacity_mAh_g"] for r in rows])
        xlabel = "capacity [mAh/g]"
    else:
        x = np.array([r["soc"] for r in rows])
        xlabel = "state of charge"
    stress = np.array([r["film.mean_inplane_stress_Pa"] for r in rows]) / 1e9
    steps = np.array([r["protocol_step"] for r in rows])
    fig, ax = plt.subplots(figsize=(6, 4))
    for step in np.unique(steps):
        chosen = steps == step
        # Each step's line starts at the last point of the previous one (a closed loop).
        first = int(np.flatnonzero(chosen)[0])
        chosen[max(first - 1, 0)] = True
        kind = rows[int(np.flatnonzero(steps == step)[-1])]["protocol_kind"]
        ax.plot(x[chosen], stress[chosen], marker=".", ms=3, label=f"step {step}: {kind}")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set(xlabel=xlabel, ylabel="film in-plane stress [GPa]", title="Film stress")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = folder / "film_stress_capacity.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]
