"""The rigid-body near-nullspace that GAMG needs for elasticity."""

from __future__ import annotations

from petsc4py import PETSc

import dolfinx.la.petsc  # noqa: F401
from dolfinx import fem, la

import femsi.compat  # noqa: F401


def rigid_body_modes(V: fem.FunctionSpace) -> RigidBodyModes:
    """Three translations and three rotations of a 3D vector space, orthonormalised.

    Args:
        V: A blocked (3-component) Lagrange space.
    """
    index_map = V.dofmap.index_map
    bs = V.dofmap.index_map_bs
    n_owned = index_map.size_local
    x = V.tabulate_dof_coordinates()[:n_owned]
    modes = [la.vector(index_map, bs=bs, dtype=PETSc.ScalarType) for _ in range(6)]
    arrays = [m.array[: n_owned * bs].reshape(-1, bs) for m in modes]
    for i in range(3):
        arrays[i][:, i] = 1.0
    arrays[3][:, 0], arrays[3][:, 1] = -x[:, 1], x[:, 0]
    arrays[4][:, 0], arrays[4][:, 2] = x[:, 2], -x[:, 0]
    arrays[5][:, 2], arrays[5][:, 1] = x[:, 1], -x[:, 2]
    la.orthonormalize(modes)
    vectors = [la.petsc.create_vector_wrap(m) for m in modes]
    nullspace = PETSc.NullSpace().create(vectors=vectors, comm=V.mesh.comm)
    return RigidBodyModes(nullspace, modes)


class RigidBodyModes:
    """A PETSc near-nullspace together with the arrays its vectors wrap (kept alive)."""

    def __init__(self, nullspace: PETSc.NullSpace, arrays: list):
        self.nullspace = nullspace
        self._arrays = arrays
