"""Stateless kinematic helpers (UFL), in 3D and in the two 2D formulations.

Every stress and strain is a 3×3 tensor whatever the mesh dimension, so that energies,
invariants and outputs keep their 3D meaning. With a 2D mesh (coordinates x, y) and a
displacement u = (u_x, u_y) the 3×3 displacement gradient is

    plane strain (a long body along z, ε_zz = 0):
        ∇u = [[∂u_x/∂x, ∂u_x/∂y, 0], [∂u_y/∂x, ∂u_y/∂y, 0], [0, 0, 0]],
    axisymmetric (x = r, y = z, a body of revolution about the y axis, no torsion):
        ∇u = [[∂u_r/∂r, ∂u_r/∂z, 0], [∂u_z/∂r, ∂u_z/∂z, 0], [0, 0, u_r/r]],

in the (x, y, z) = (r, z, θ) order: the third direction is the out-of-plane one (z in plane
strain, the hoop direction θ in axisymmetry), so F_θθ = 1 + u_r/r (its limit 1 + ∂u_r/∂r on
the axis, where u_r = 0). Volume integrals of an
axisymmetric body carry the weight 2πr (see :mod:`femsi.physics.measures`).
"""

from __future__ import annotations

import ufl

#: The formulations: a 3D body, and the two 2D cross-sections.
FORMULATIONS = ("3d", "plane_strain", "axisymmetric")


def displacement_gradient(u, formulation: str = "3d", axis_limit: bool = False):
    """The 3×3 displacement gradient of a 3D or 2D (plane strain, axisymmetric) displacement.

    Args:
        u: The displacement (3 components, or 2 for a 2D section).
        formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
        axis_limit: Use ∂u_r/∂r for u_r/r on the axis (r = 0), for expressions interpolated
            at nodes there. Forms leave it off: their quadrature points are never on the axis,
            and FFCx cannot factor a conditional holding a test or trial function.
    """
    g = ufl.grad(u)
    if formulation == "3d":
        return g
    if formulation == "axisymmetric":
        domain = ufl.domain.extract_unique_domain(u)
        r = ufl.SpatialCoordinate(domain)[0]
        hoop = u[0] / r
        if axis_limit:
            # On the axis (u_r = 0) u_r/r → ∂u_r/∂r. The test is relative to the body's size:
            # Gmsh leaves axis nodes at r ~ 1e-17, not 0.
            hoop = ufl.conditional(ufl.gt(r, 1e-9 * _extent(domain)), hoop, g[0, 0])
    else:
        hoop = 0
    return ufl.as_matrix([[g[0, 0], g[0, 1], 0], [g[1, 0], g[1, 1], 0], [0, 0, hoop]])


def _extent(domain) -> float:
    """The largest |coordinate| of a DOLFINx mesh over all ranks (m)."""
    from femsi.parallel import global_extent

    return global_extent(domain.ufl_cargo())


def deformation_gradient(u, formulation: str = "3d", axis_limit: bool = False):
    """F = I + ∇u (3×3)."""
    return ufl.Identity(3) + displacement_gradient(u, formulation, axis_limit)


def small_strain(u, formulation: str = "3d", axis_limit: bool = False):
    """ε = sym ∇u (3×3)."""
    return ufl.sym(displacement_gradient(u, formulation, axis_limit))


def as_3d(v):
    """A 2- or 3-component vector as a 3-vector (zero out of the section plane)."""
    if v.ufl_shape[0] == 3:
        return v
    return ufl.as_vector([v[0], v[1], 0])


def divergence(T, formulation: str = "3d"):
    """Row divergence (div T)_i = ∂T_ij/∂x_j of a 3×3 tensor field, in the section's components.

    Plane strain: the in-plane rows (nothing varies along z). Axisymmetric, (x, y, z) =
    (r, z, θ), no torsion: (div T)_r = ∂T_rr/∂r + ∂T_rz/∂z + (T_rr − T_θθ)/r and
    (div T)_z = ∂T_zr/∂r + ∂T_zz/∂z + T_zr/r. Returns a vector with as many components as
    the mesh has dimensions.
    """
    if formulation == "3d":
        return ufl.div(T)
    rows = [T[i, 0].dx(0) + T[i, 1].dx(1) for i in range(2)]
    if formulation == "axisymmetric":
        r = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(T))[0]
        rows = [rows[0] + (T[0, 0] - T[2, 2]) / r, rows[1] + T[1, 0] / r]
    return ufl.as_vector(rows)
