"""The rigid-body near-nullspace that GAMG needs for elasticity.

3D: three translations and three rotations. Plane strain (u_x, u_y): two translations and the
rotation about z, (-y, x). Axisymmetric (u_r, u_z): only the translation along the axis; a
radial translation or a rotation of the section is not a rigid motion of the body of
revolution (it strains the hoop direction, ε_θθ = u_r/r).
"""

from __future__ import annotations

from petsc4py import PETSc

import dolfinx.la.petsc  # noqa: F401
from dolfinx import fem, la

import femsi.compat  # noqa: F401


def rigid_body_modes(V: fem.FunctionSpace, formulation: str = "3d") -> RigidBodyModes:
    """The rigid-body modes of a displacement space, orthonormalised.

    Args:
        V: A blocked Lagrange space (3 components, or 2 for a 2D section).
        formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
    """
    index_map = V.dofmap.index_map
    bs = V.dofmap.index_map_bs
    n_owned = index_map.size_local
    x = V.tabulate_dof_coordinates()[:n_owned]
    count = {"3d": 6, "plane_strain": 3, "axisymmetric": 1}[formulation]
    modes = [la.vector(index_map, bs=bs, dtype=PETSc.ScalarType) for _ in range(count)]
    arrays = [m.array[: n_owned * bs].reshape(-1, bs) for m in modes]
    if formulation == "axisymmetric":
        arrays[0][:, 1] = 1.0
    else:
        for i in range(bs):
            arrays[i][:, i] = 1.0
        arrays[bs][:, 0], arrays[bs][:, 1] = -x[:, 1], x[:, 0]
    if formulation == "3d":
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
