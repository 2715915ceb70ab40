"""MkDocs hook: the figures of the verification page, drawn from the tests' closed forms.

Every curve is computed at build time by the reference functions the verification tests
assert against (``tests/support/analytic.py``) with the tests' own parameters; no finite-element
problem is solved here. The markers are the femsi values of the table on
``docs/verification.md`` (``FE`` below), as measured when each test was written: the tests
assert them within the tolerances the table gives, so a marker that left its curve would fail
its test. The figures are added to the site as ``verification/*.png``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

#: femsi's values from the verification table (3D tetrahedra, P2, unless noted).
FE = {
    "galvanostatic": {"centre": 0.05387, "hoop": -0.06229, "c_surface": 0.48615},
    "galvanostatic_axisymmetric": {"centre": 0.05357, "hoop": -0.06172, "c_surface": 0.48580},
    "potentiostatic_axisymmetric_hoop": -0.13208,
    "shell_free_b2": 213.046e6,
    "shell_fixed_b2": 326.011e6,
    "shell_free_b8": 252.819e6,
    "shell_axisymmetric_free_b2": 212.842e6,
    "shell_axisymmetric_fixed_b2": 326.276e6,
    "rigid_cavity_js4": 221.9516e9,
    "refinement_3d_p1": ([0.4, 0.2, 0.1], [4.7e-2, 1.1e-2, 1.2e-3]),
    "refinement_plane_strain_p1": ([0.2, 0.1, 0.05], [7.1e-3, 1.7e-3, 4.9e-4]),
}


def _analytic():
    sys.path.insert(0, str(ROOT))
    try:
        from tests.support import analytic
    finally:
        sys.path.remove(str(ROOT))
    return analytic


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def galvanostatic(analytic) -> bytes:
    """Concentration and stresses in a sphere under a constant flux (Cheng & Verbrugge 2009)."""
    x = np.linspace(0.0, 1.0, 101)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for tau in (0.02, 0.05, 0.1, 0.2):
        left.plot(x, analytic.galvanostatic_concentration(x, tau), label=f"τ = {tau}")
    fe, axi = FE["galvanostatic"], FE["galvanostatic_axisymmetric"]
    left.plot(1.0, fe["c_surface"], "ko", label="femsi 3D (τ = 0.1)")
    left.plot(1.0, axi["c_surface"], "rs", mfc="none", label="femsi axisymmetric")
    left.set(xlabel="r / R", ylabel="(c − c₀) / C,  C = J R / D", title="concentration")
    left.legend(fontsize=8)

    def profile(s):
        return analytic.galvanostatic_concentration(s, 0.1)

    stresses = np.array([analytic.sphere_stresses(profile, r) for r in x]) / 3
    right.plot(x, stresses[:, 0], label="σ_r (closed form)")
    right.plot(x, stresses[:, 1], label="σ_θ (closed form)")
    right.plot([0, 1], [fe["centre"], fe["hoop"]], "ko", label="femsi 3D")
    right.plot([0, 1], [axi["centre"], axi["hoop"]], "rs", mfc="none", label="femsi axisymmetric")
    right.axhline(0, color="0.7", lw=0.8)
    right.set(xlabel="r / R", ylabel="σ / S,  S = Ω E C / (1 − ν)", title="stresses at τ = 0.1")
    right.legend(fontsize=8)
    return _png(figure)


def potentiostatic(analytic) -> bytes:
    """A sphere whose surface is held at Δc (Crank 1975, eq. 6.18)."""
    x = np.linspace(0.0, 1.0, 101)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for tau in (0.005, 0.02, 0.05, 0.1, 0.2):
        left.plot(x, analytic.potentiostatic_concentration(x, tau), label=f"τ = {tau}")
    left.set(xlabel="r / R", ylabel="c / Δc", title="concentration")
    left.legend(fontsize=8)
    taus = np.geomspace(0.002, 0.5, 40)
    hoop = [
        analytic.sphere_stresses(lambda s, t=t: analytic.potentiostatic_concentration(s, t), 1.0)[1]
        / 3
        for t in taus
    ]
    right.semilogx(taus, hoop, label="surface σ_θ (closed form)")
    right.plot(0.05, FE["potentiostatic_axisymmetric_hoop"], "rs", mfc="none",
               label="femsi axisymmetric (τ = 0.05)")  # fmt: skip
    right.set(xlabel="τ = D t / R²", ylabel="σ_θ(R) / S_p,  S_p = Ω E Δc / (1 − ν)",
              title="surface hoop stress")  # fmt: skip
    right.legend(fontsize=8)
    return _png(figure)


def shell(analytic) -> bytes:
    """Interface pressure of a swelling sphere in a shell (Eshelby 1957; Lamé)."""
    e_star, e1, nu1, e2, nu2 = 0.01, 80e9, 0.22, 20e9, 0.3  # test_verification_shell
    ratio = np.geomspace(1.15, 12, 200)
    figure, axes = plt.subplots(figsize=(6.5, 4))
    for outer in ("free", "fixed"):
        p = [analytic.eshelby_pressure(e_star, e1, nu1, e2, nu2, b, outer) for b in ratio]
        axes.plot(ratio, np.array(p) / 1e6, label=f"outer surface {outer} (closed form)")
    p_inf = analytic.eshelby_pressure(e_star, e1, nu1, e2, nu2) / 1e6
    axes.axhline(p_inf, color="0.5", ls="--", label=f"infinite matrix {p_inf:.1f} MPa")
    axes.plot([2, 2, 8], np.array([FE[k] for k in ("shell_free_b2", "shell_fixed_b2",
              "shell_free_b8")]) / 1e6, "ko", label="femsi 3D")  # fmt: skip
    axes.plot([2, 2], np.array([FE["shell_axisymmetric_free_b2"],
              FE["shell_axisymmetric_fixed_b2"]]) / 1e6, "rs", mfc="none",
              label="femsi axisymmetric")  # fmt: skip
    axes.set(xlabel="b / a", ylabel="interface pressure p (MPa)",
             title="sphere (E 80 GPa, ν 0.22) in a shell (E 20 GPa, ν 0.3), e* = 0.01")  # fmt: skip
    axes.legend(fontsize=8)
    return _png(figure)


def rigid_cavity(analytic) -> bytes:
    """Finite-strain swelling in a rigid cavity against the small-strain limit."""
    e, nu = 80e9, 0.22  # test_verification_finite_strain
    js = np.linspace(1.0, 4.5, 200)
    bulk = e / (3 * (1 - 2 * nu))
    figure, axes = plt.subplots(figsize=(6.5, 4))
    axes.plot(js, analytic.rigid_cavity_pressure(e, nu, js) / 1e9,
              label="neo-Hookean, F = F_e F_s (closed form)")  # fmt: skip
    axes.plot(js, 3 * bulk * (js ** (1 / 3) - 1) / 1e9, "--",
              label="small strain 3K (J_s^(1/3) − 1)")  # fmt: skip
    axes.plot(4.0, FE["rigid_cavity_js4"] / 1e9, "ko", label="femsi, J_s = 4")
    axes.set(xlabel="swelling J_s = 1 + Ω (c − c_ref)", ylabel="pressure (GPa)",
             title="uniform swelling in a rigid cavity (E 80 GPa, ν 0.22)")  # fmt: skip
    axes.legend(fontsize=8)
    return _png(figure)


def refinement() -> bytes:
    """Observed convergence of P1 displacement / pressure under mesh refinement."""
    figure, axes = plt.subplots(figsize=(6.5, 4))
    for key, label in (("refinement_3d_p1", "3D sphere in a shell: u(a)"),
                       ("refinement_plane_strain_p1", "plane strain: core pressure")):  # fmt: skip
        h, error = FE[key]
        axes.loglog(h, error, "o-", label=f"femsi, {label}")
    h = np.array([0.05, 0.4])
    axes.loglog(h, 0.3 * h**2, "k--", lw=0.8, label="slope 2")
    axes.set(xlabel="mesh size h / a", ylabel="relative error", title="P1 mesh refinement")
    axes.legend(fontsize=8)
    return _png(figure)


def plastic_film() -> bytes:
    """The elastic-perfectly plastic confined film (Nix 1989) of test_plasticity_runner."""
    e, nu, sy, e_max = 80e9, 0.22, 0.5e9, 0.0185
    mf = e / (1 - nu)
    up = np.linspace(0, e_max, 200)
    down = np.linspace(e_max, 0, 200)
    figure, axes = plt.subplots(figsize=(6.5, 4))
    axes.plot(up, np.maximum(-mf * up, -sy) / 1e9, label="lithiation")
    axes.plot(down, np.minimum(-sy + mf * (e_max - down), sy) / 1e9, label="delithiation")
    axes.axhline(0, color="0.7", lw=0.8)
    axes.set(xlabel="swelling strain e* = Ω (c − c_ref) / 3",
             ylabel="in-plane stress σ (GPa)",
             title="confined film, E 80 GPa, ν 0.22, σ_Y 0.5 GPa (closed form)")  # fmt: skip
    axes.legend(fontsize=8)
    return _png(figure)


def on_files(files: Files, config) -> Files:
    """Draw the figures and add them to the site."""
    analytic = _analytic()
    figures = {
        "galvanostatic_sphere.png": galvanostatic(analytic),
        "potentiostatic_sphere.png": potentiostatic(analytic),
        "sphere_in_shell.png": shell(analytic),
        "rigid_cavity.png": rigid_cavity(analytic),
        "mesh_refinement.png": refinement(),
        "plastic_film.png": plastic_film(),
    }
    for name, content in figures.items():
        files.append(File.generated(config, f"verification/{name}", content=content))
    return files
