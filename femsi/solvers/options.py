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
        options |= _krylov(settings, symmetric, max_iterations=1000) | {
            "pc_type": "gamg",
            "pc_gamg_type": "agg",
            "pc_gamg_coarse_eq_limit": 1000,
            "mg_levels_ksp_type": "chebyshev",
            "mg_levels_pc_type": "jacobi",
            "mg_levels_ksp_chebyshev_esteig_steps": 10,
        }
        if not symmetric:
            options["ksp_gmres_restart"] = 100
        # No inexact Newton (Eisenstat-Walker): with its loose early Krylov tolerances the
        # Newton count depended on the partition (the shipped particle at 2C took 33 steps in
        # serial, 31 on 2 ranks, since time steps grow after easy Newton solves), and it cost
        # more than it saved: the same particle to SOC 0.3 took 142 Newton iterations in 32
        # steps with it, 49 in 22 steps and 27 % less time without (AMG reused throughout).
        # ``petsc_options: {snes_ksp_ew: true}`` brings it back.
        if vector:
            options["pc_gamg_threshold"] = 0.01
    return options | _user_options(settings)


def _krylov(settings: SubSolver, symmetric: bool, max_iterations: int) -> dict:
    """CG (GMRES if not symmetric) to ``ksp_rtol`` of the true residual."""
    return {
        "ksp_type": "cg" if symmetric else "gmres",
        "ksp_rtol": settings.ksp_rtol,
        "ksp_atol": 1e-30,
        "ksp_max_it": max_iterations,
        "ksp_norm_type": "unpreconditioned",
    }


def _user_options(settings: SubSolver) -> dict:
    """``settings.petsc_options``, applied last so that they win.

    A YAML ``true`` is PETSc's bare flag: ``snes_monitor: true`` must reach PETSc as
    ``-snes_monitor`` (the string "true" is read as a viewer name there and fails).
    """
    return {k: "" if v is True else v for k, v in settings.petsc_options.items()}


#: Estimated MUMPS Cholesky factor size (MB, all ranks) as a * n^(4/3) in the displacement
#: DOFs n (nested-dissection fill). Not calibrated: a gives 1.15 GB at the shipped
#: electrode's 258,459 DOFs, whose whole direct run reached 4.35 GB peak RSS (the factor and
#: everything else), so it underestimates; MUMPS's INFOG(16/17) would be the honest number.
FACTOR_MB_PER_DOF43 = 7.0e-5


def factor_memory_mb(dofs: int) -> float:
    """The estimated MUMPS factor memory (MB, all ranks) of a mechanics matrix with ``dofs``."""
    return FACTOR_MB_PER_DOF43 * float(dofs) ** (4.0 / 3.0)


def available_memory_mb() -> float:
    """MemAvailable of this node in MB (``/proc/meminfo``), or infinity if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("inf")


def fixed_operator_direct_options(settings: SubSolver, *, symmetric: bool, fixed: bool) -> dict:
    """A Krylov solve preconditioned by one MUMPS factorisation that is kept for the run.

    The Krylov wrapper (CG, or GMRES if not symmetric) makes the factor exact for the plain
    operator (one iteration) and for a plate's matrix-free border (two or three iterations);
    the Jacobian is assembled once (``snes_lag_jacobian -2``, persistent), so the
    preconditioner's matrix never changes and PETSc never refactors it.
    """
    options = petsc_options(settings, symmetric=symmetric, linear=True, vector=False)
    options = {k: v for k, v in options.items() if not k.startswith(("pc_", "mg_"))}
    options |= _krylov(settings, symmetric, max_iterations=100) | {
        "pc_type": "cholesky" if symmetric else "lu",
        "pc_factor_mat_solver_type": "mumps",
    }
    if fixed:
        options |= {"snes_lag_jacobian": -2, "snes_lag_jacobian_persists": True}
    return options | _user_options(settings)


def _types(kind: str) -> frozenset[str]:
    from petsc4py import PETSc

    holder = {
        "ksp": PETSc.KSP.Type,
        "pc": PETSc.PC.Type,
        "snes": PETSc.SNES.Type,
        "linesearch": PETSc.SNESLineSearch.Type,
        "solver": PETSc.Mat.SolverType,
    }[kind]
    names = {v for k, v in vars(holder).items() if not k.startswith("_") and isinstance(v, str)}
    if kind == "linesearch":
        names.add("l2")  # the older name of the secant line search, still accepted
    return frozenset(names)


#: Option-name suffixes whose value is a PETSc type, and the family it names.
TYPE_OPTIONS = (
    ("pc_factor_mat_solver_type", "solver"),
    ("snes_linesearch_type", "linesearch"),
    ("snes_type", "snes"),
    ("ksp_type", "ksp"),
    ("pc_type", "pc"),
)


def check_user_options(options: dict, field: str) -> None:
    """Refuse PETSc option values PETSc would reject, before any solver is built.

    Each ``*_type`` option (``ksp_type``, ``mg_levels_pc_type``, ``snes_linesearch_type``,
    ``pc_factor_mat_solver_type``, ...) must name a type this PETSc has.

    Args:
        options: A ``solver.*.petsc_options`` mapping.
        field: Its config path, for the error.

    Raises:
        InputError: An unknown type, naming the option.
    """
    from femsi.errors import InputError

    for key, value in options.items():
        for suffix, kind in TYPE_OPTIONS:
            if str(key).endswith(suffix):
                known = _types(kind)
                if str(value) not in known:
                    raise InputError(
                        f"{field}.{key}",
                        f"PETSc has no {kind} type {value!r} (one of {', '.join(sorted(known))})",
                    )
                break
