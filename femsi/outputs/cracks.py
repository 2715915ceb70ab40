"""Energy release rates of a study's cracks after every step, their summary and figure.

For each crack of ``cracks:`` (meshed by the geometry builders, :mod:`femsi.config.cracks`):

- ``crack.NAME.G_J_m2``: the energy release rate G. For ring cracks (every kind but
  ``channel``) the domain integral (G-θ with the eigenstrain-gradient term,
  :mod:`femsi.physics.fracture`) at each tip, averaged over the rings, of the tip with the
  largest G; times 2 for a crack on a mirror line of the model (the modelled half carries half
  of G). For a ``channel`` crack the steady-state channelling energy release rate of Beuth
  (1992), G_ss = (σ/2h) ∫₀ʰ δ(z) dz, from the crack opening δ = 2 u_x on the crack face
  (x = 0, the mirror) and σ the mean film stress σ_xx on the far wall x = width (the stress
  of the uncracked film when the strip is wide, width ≫ h);
- ``crack.NAME.G_spread``: (max − min)/|mean| of G over the rings (path independence; NaN for
  a channel crack);
- ``crack.NAME.K_I_Pa_sqrt_m``, ``crack.NAME.K_II_Pa_sqrt_m``: the interaction integral's
  stress intensity factors (×2 for K_I on a mirror, where K_II vanishes by symmetry; NaN for a
  channel crack).

A crack whose faces would overlap (K_I < 0, or a closing channel) is closed: no contact is
modelled, so its G is reported as 0 and its K_I stays negative as the sign of closure.

``summary.json`` gets ``cracks: {NAME: {G_max_J_m2, Gc_J_m2, ratio, time_s, soc, ...}}`` with
the fracture energy Gc of the cracked material (``fracture_energy``, or
K_IC²(1 − ν²)/E from ``fracture_toughness``, E at the stress-free SOC) and the ratio
G_max/Gc (null without a Gc), and ``figures/crack_G.png`` plots G against time and SOC with
the Gc lines.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import femsi.compat  # noqa: F401
from femsi.config.cracks import CrackLayout
from femsi.errors import InputError
from femsi.parallel import ScalarForm
from femsi.physics.fracture import DomainIntegral

#: The columns of each crack, after ``crack.NAME.``.
CRACK_COLUMNS = ("G_J_m2", "G_spread", "K_I_Pa_sqrt_m", "K_II_Pa_sqrt_m")


def crack_columns(names) -> list[str]:
    """Column names of the cracks in ``timeseries.csv``."""
    return [f"crack.{name}.{key}" for name in names for key in CRACK_COLUMNS]


def fracture_energy(material) -> float | None:
    """Gc of a material: ``fracture_energy``, or K_IC²(1 − ν²)/E (plane strain), or None.

    E is taken at the material's stress-free state of charge.
    """
    extra = material.extra
    if extra.get("fracture_energy") is not None:
        return float(extra["fracture_energy"])
    toughness = extra.get("fracture_toughness")
    if toughness is None:
        return None
    E = float(material.youngs_modulus(material.stress_free_soc))
    return float(toughness) ** 2 * (1 - material.poissons_ratio**2) / E


def _domain_integral(model, region: str, degree: int) -> DomainIntegral:
    """The domain integral of the cracked region's material (plane strain, small strain).

    Temporary: G-θ of linear elasticity with E at the stress-free SOC and the eigenstrain
    β = Ω (c − c_ref)/3 of the region, until the general ``DomainIntegral.for_model`` (finite
    strain, axisymmetry, E(c)) replaces it.
    """
    if model.formulation != "plane_strain" or model.physics.mechanics != "small_strain":
        raise InputError(
            "physics.mechanics",
            "cracks are evaluated in plane-strain small-strain models only for now",
        )
    material = model.materials[region]
    E = float(material.youngs_modulus(material.stress_free_soc))
    beta = None
    if material.is_active and model.physics.swelling:
        c_ref = material.stress_free_concentration
        beta = material.partial_molar_volume * (model.concentration - c_ref) / 3
    return DomainIntegral(model.u, E, material.poissons_ratio, degree, beta)


class CrackOutputs:
    """The crack columns of one run, forms compiled once.

    Args:
        model: The coupled model (with mechanics).
        cracks: The meshed cracks (``MeshModel.cracks``).
    """

    def __init__(self, model, cracks: list[CrackLayout]):
        self.cracks = list(cracks)
        self.columns = crack_columns(c.name for c in self.cracks)
        degree = max(4, 2 * model.physics.displacement_degree)
        self._integrals: dict[str, DomainIntegral] = {}
        self._channels: dict[str, tuple[ScalarForm, ScalarForm, float]] = {}
        comm = model.mesh.comm
        for crack in self.cracks:
            if crack.kind == "channel":
                self._channels[crack.name] = self._channel_forms(model, crack, comm)
            elif crack.region not in self._integrals:
                self._integrals[crack.region] = _domain_integral(model, crack.region, degree)

    @staticmethod
    def _channel_forms(model, crack: CrackLayout, comm):
        """∫ u_x over the crack face, and ∫ σ_xx, ∫ 1 over the film's part of the far wall."""
        m, mesh_model = model.measures, model.model
        ds = m.ds(m.mechanics_degree)
        face = ds(mesh_model.surfaces[crack.surface])
        far = ds(mesh_model.surfaces["side_x1"])
        film = model.fields.indicator([crack.region])
        opening = ScalarForm(model.u[0] * face, comm)
        stress = ScalarForm(film * model.elastic_stress[0, 0] * far, comm)
        height = ScalarForm(film * far, comm)()
        return opening, stress, height

    def evaluate(self) -> dict[str, float]:
        """The columns for the current displacement and concentration."""
        row: dict[str, float] = {}
        for crack in self.cracks:
            if crack.kind == "channel":
                values = self._channel(crack)
            else:
                values = self._rings(crack)
            row |= {
                f"crack.{crack.name}.{k}": v for k, v in zip(CRACK_COLUMNS, values, strict=True)
            }
        return row

    def _rings(self, crack: CrackLayout) -> tuple[float, float, float, float]:
        integral = self._integrals[crack.region]
        best = None
        for tip in crack.tips:
            result = integral.evaluate(tip.point, tip.direction, crack.rings)
            if best is None or result.G_mean > best.G_mean:
                best = result
        factor = crack.symmetry_factor
        K_I = factor * float(np.mean(best.K_I))
        K_II = 0.0 if crack.mirror_axis is not None else float(np.mean(best.K_II))
        G = factor * best.G_mean if K_I >= 0 else 0.0
        spread = best.G_spread if len(crack.rings) > 1 else 0.0
        return G, spread, K_I, K_II

    def _channel(self, crack: CrackLayout) -> tuple[float, float, float, float]:
        opening, stress, height = self._channels[crack.name]
        sigma = stress() / height
        mean_opening = opening()  # ∫ u_x dz over the face: half the integral of δ
        G = sigma * mean_opening / crack.thickness if mean_opening > 0 else 0.0
        return G, math.nan, math.nan, math.nan

    def summary(self, rows: list[dict], materials: dict) -> dict[str, dict]:
        """Per crack: the largest G, when and at which SOC, and Gc of the cracked material."""
        out = {}
        for crack in self.cracks:
            key = f"crack.{crack.name}.G_J_m2"
            values = [r[key] for r in rows if math.isfinite(r.get(key, math.nan))]
            best = max(range(len(values)), key=values.__getitem__) if values else None
            row = rows[best] if best is not None else {}
            material = materials[crack.region]
            gc = fracture_energy(material)
            G = float(values[best]) if best is not None else None
            out[crack.name] = {
                "kind": crack.kind,
                "region": crack.region,
                "material": material.name,
                "G_max_J_m2": G,
                "Gc_J_m2": gc,
                "ratio": G / gc if (G is not None and gc) else None,
                "time_s": row.get("time_s"),
                "soc": row.get("soc"),
                "step": row.get("step"),
                "rings_m": [list(r) for r in crack.rings],
                "symmetry_factor": crack.symmetry_factor,
            }
        return out


def plot_crack_G(rows: list[dict], cracks: dict[str, dict], folder: Path) -> list[Path]:
    """G of every crack against time and SOC, with the fracture-energy line of its material."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.array([r["time_s"] for r in rows])
    unit, scale = (
        ("h", 3600.0)
        if t.max(initial=0) > 3 * 3600
        else (("min", 60.0) if t.max(initial=0) > 180 else ("s", 1.0))
    )
    soc = np.array([r["soc"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    gcs = {}
    for index, (name, info) in enumerate(cracks.items()):
        G = np.array([r[f"crack.{name}.G_J_m2"] for r in rows])
        colour = f"C{index}"
        axes[0].plot(t / scale, G, color=colour, marker=".", ms=3, label=f"{name} ({info['kind']})")
        axes[1].plot(soc, G, color=colour, marker=".", ms=3, label=name)
        if info["Gc_J_m2"] is not None:
            gcs.setdefault(info["Gc_J_m2"], []).append(info["material"])
    for value, names in gcs.items():
        for ax in axes:
            ax.axhline(value, color="k", ls="--", lw=1)
        axes[0].annotate(
            f"Gc {value:.3g} J/m² ({', '.join(sorted(set(names)))})",
            (0.01, value),
            xycoords=("axes fraction", "data"),
            va="bottom",
            fontsize=8,
        )
    axes[0].set(xlabel=f"time [{unit}]", ylabel="G [J/m²]", title="Energy release rate")
    axes[1].set(xlabel="state of charge", ylabel="G [J/m²]", title="Energy release rate vs SOC")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    path = folder / "crack_G.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]
