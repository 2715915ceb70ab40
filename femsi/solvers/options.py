"""PETSc option sets for femsi's sub-solvers, from the ``solver`` config section."""

from __future__ import annotations

from femsi.config.schema import SubSolver


def petsc_options(settings: SubSolver, *, symmetric: bool, linear: bool, vector: bool) -> dict:
    """SNES/KSP/PC options of one sub-solver.

    Args:
        settings: The sub-solver section of the config.
        symmetric: Whether the tangent is symmetric (CG) or not (GMRES).
        linear: Whether the problem is linear (one Newton step suffices, no line search).
        vector: Whether the unknown is a displacement (GAMG with a near-nullspace).

    Returns:
        Options without prefix; ``settings.petsc_options`` are applied last and win.
    """
    options: dict = {
        # A linear problem needs one linear solve: ``ksponly`` skips the residual evaluations
        # Newton would spend confirming it.
        "snes_type": "ksponly" if linear else "newtonls",
        "snes_linesearch_type": "basic" if linear else "bt",
        "snes_rtol": settings.rtol,
        "snes_atol": settings.atol,
        "snes_stol": 0.0,
        "snes_max_it": settings.max_iterations,
        "snes_divergence_tolerance": 1e8,
    }
    if settings.linear_solver == "direct":
        options |= {
            "ksp_type": "preonly",
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        }
    else:
        options |= {
            "ksp_type": "cg" if symmetric else "gmres",
            "ksp_rtol": settings.ksp_rtol,
            "ksp_atol": 1e-30,
            "ksp_max_it": 1000,
            "ksp_norm_type": "unpreconditioned",
            "pc_type": "gamg",
            "pc_gamg_type": "agg",
            "pc_gamg_coarse_eq_limit": 1000,
            "mg_levels_ksp_type": "chebyshev",
            "mg_levels_pc_type": "jacobi",
            "mg_levels_ksp_chebyshev_esteig_steps": 10,
        }
        if not symmetric:
            options["ksp_gmres_restart"] = 100
        if not linear:
            # Inexact Newton (Eisenstat-Walker): loose Krylov tolerances far from the solution,
            # tight near it; the Newton tolerances still decide convergence.
            options["snes_ksp_ew"] = True
        if vector:
            options["pc_gamg_threshold"] = 0.01
    # A YAML ``true`` is PETSc's bare flag: ``snes_monitor: true`` must reach PETSc as
    # ``-snes_monitor`` (the string "true" is read as a viewer name there and fails).
    options |= {k: "" if v is True else v for k, v in settings.petsc_options.items()}
    return options
