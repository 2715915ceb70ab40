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


def displacement_gradient(u, formulation: str = "3d"):
    """The 3×3 displacement gradient of a 3D or 2D (plane strain, axisymmetric) displacement."""
    g = ufl.grad(u)
    if formulation == "3d":
        return g
    if formulation == "axisymmetric":
        r = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))[0]
        # On the axis (stress interpolation points there; u_r = 0) u_r/r → ∂u_r/∂r.
        hoop = ufl.conditional(ufl.gt(r, 0), u[0] / r, g[0, 0])
    else:
        hoop = 0
    return ufl.as_matrix([[g[0, 0], g[0, 1], 0], [g[1, 0], g[1, 1], 0], [0, 0, hoop]])


def deformation_gradient(u, formulation: str = "3d"):
    """F = I + ∇u (3×3)."""
    return ufl.Identity(3) + displacement_gradient(u, formulation)


def small_strain(u, formulation: str = "3d"):
    """ε = sym ∇u (3×3)."""
    return ufl.sym(displacement_gradient(u, formulation))


def as_3d(v):
    """A 2- or 3-component vector as a 3-vector (zero out of the section plane)."""
    if v.ufl_shape[0] == 3:
        return v
    return ufl.as_vector([v[0], v[1], 0])
