"""Outputs of phase-field fracture: crack area, energies, damage and the staggered iterations.

Time-series columns (one value per accepted step, MPI-global, the full body: modelled part
times ``volume_scale``):

- ``crack_area_m2``: ∫ γ(d, ∇d) dV over the cracking regions, the crack area of the
  regularised crack. A plane-strain section gives it per metre of depth (m² of crack surface
  per m along z, i.e. the crack length in the section); an axisymmetric one for the body of
  revolution;
- ``dissipated_energy_J``: ∫ G_c γ dV, the energy spent on cracking (J; J/m in plane strain);
- ``strain_energy_J``: ∫ ψ_d dV, the elastic energy left in the (damaged) body;
- ``max_damage``: the largest nodal damage outside the initial cracks (which are held at 1),
  so that it shows a crack nucleating or growing; ``REGION.max_damage`` the same over the
  nodes of each cracking region (a node on an interface belongs to both regions);
- ``staggered_iterations``, ``damage_iterations``: alternate-minimisation iterations of the step
  and the damage solver's (Newton or active-set) iterations in them.

``summary.json`` gets a ``phase_field`` block: the crack onset (the first accepted step whose
``max_damage`` reaches ``phase_field.onset_damage``: its time, SOC, step and crack area; null
if none did; with an initial crack, the step where it has grown by a cell or so), the length
scale, the largest cell in the cracking regions, and the fracture energy of each cracking
region with its source. A crack on a symmetry plane of an octant model lies half
in the model; its full-body area is still right, because the modelled half of its band is
multiplied by the same factor as the body.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from femsi.materials import Material
from femsi.materials.fracture import fracture_energy, fracture_energy_source
from femsi.physics.phase_field import PhaseField


class PhaseFieldOutputs:
    """Crack columns of the time series and the ``phase_field`` block of the summary.

    Args:
        phase_field: The model's damage field.
        volume_scale: Full body over the modelled part.
        onset_damage: Damage that marks the crack onset.
    """

    def __init__(self, phase_field: PhaseField, volume_scale: float, onset_damage: float):
        self.phase_field = phase_field
        self.scale = volume_scale
        self.onset_damage = onset_damage
        self.onset: dict | None = None
        self.columns = [
            "crack_area_m2",
            "dissipated_energy_J",
            "strain_energy_J",
            "max_damage",
            *(f"{region}.max_damage" for region in phase_field.regions),
            "staggered_iterations",
            "damage_iterations",
        ]

    def evaluate(self, stats, row: dict) -> dict:
        """The crack columns of the state just accepted (``row``: its step, time and SOC)."""
        pf = self.phase_field
        values = {
            "crack_area_m2": self.scale * pf.crack_area(),
            "dissipated_energy_J": self.scale * pf.dissipated_energy(),
            "strain_energy_J": self.scale * pf.strain_energy(),
            "max_damage": pf.max_damage(),
            **{f"{region}.max_damage": pf.max_damage(region) for region in pf.regions},
            "staggered_iterations": getattr(stats, "iterations", 0),
            "damage_iterations": getattr(stats, "damage_iterations", 0),
        }
        if self.onset is None and values["max_damage"] >= self.onset_damage:
            self.onset = {
                "step": row["step"],
                "time_s": row["time_s"],
                "soc": row["soc"],
                "crack_area_m2": values["crack_area_m2"],
            }
        return values

    def summary(self, materials: dict[str, Material]) -> dict:
        """The ``phase_field`` block of ``summary.json``."""
        pf = self.phase_field
        return {
            "crack_onset": self.onset,
            "onset_damage": self.onset_damage,
            "length_scale_m": {r: pf.settings.length_of(r) for r in pf.regions},
            "largest_cell_m": pf.mesh_sizes,
            "fracture_energy_J_m2": {
                region: {
                    "value": fracture_energy(materials[region]),
                    "source": fracture_energy_source(materials[region]),
                }
                for region in pf.regions
            },
        }


def plot_crack_history(rows: list[dict], folder: Path, planar: bool = False) -> list[Path]:
    """``crack.png``: largest damage and crack area against the state of charge (rank 0).

    Args:
        rows: The time series.
        folder: Where it goes.
        planar: A plane-strain section: the "area" is per metre of depth, a crack length in
            the section, drawn in µm or nm.
    """
    from femsi.outputs.style import apply_matplotlib_style, branch_of, unit_of_data

    apply_matplotlib_style()
    import matplotlib.pyplot as plt

    soc = np.array([r["soc"] for r in rows])
    area_si = np.array([r["crack_area_m2"] for r in rows])
    area = unit_of_data("length" if planar else "area", area_si)
    damage = np.array([r["max_damage"] for r in rows])
    kinds = [str(r.get("protocol_kind", "")) for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for branch, style in (("lithiation", "-"), ("delithiation", "--"), ("other", ":")):
        mask = np.array([branch_of(k) == branch for k in kinds])
        if mask.any():
            x = np.where(mask, soc, np.nan)
            axes[0].plot(x, damage, style, marker=".", ms=3, color="C0", label=branch)
            axes[1].plot(x, area(area_si), style, marker=".", ms=3, color="C1", label=branch)
    axes[0].set(xlabel="state of charge", ylabel="largest damage d", title="Damage")
    axes[0].set_ylim(-0.03, 1.05)
    what = "crack length in the section (per m of depth)" if planar else "crack area"
    title = "Crack length (plane strain)" if planar else "Crack area"
    axes[1].set(xlabel="state of charge", ylabel=f"{what} [{area.label}]", title=title)
    for ax in axes:
        ax.legend()
    fig.tight_layout()
    path = folder / "crack.png"
    fig.savefig(path)
    plt.close(fig)
    return [path]
