from __future__ import annotations

from femsi.config.schema import SubSolver
from femsi.solvers.options import petsc_options


def test_yaml_true_becomes_a_bare_petsc_flag():
    # PETSc reads "-snes_monitor true" as a viewer named "true" and fails; a bare flag works.
    settings = SubSolver(
        petsc_options={"snes_monitor": True, "snes_ksp_ew": False, "ksp_rtol": 1e-3}
    )
    options = petsc_options(settings, symmetric=True, linear=False, vector=True)
    assert options["snes_monitor"] == ""
    assert options["snes_ksp_ew"] is False
    assert options["ksp_rtol"] == 1e-3
