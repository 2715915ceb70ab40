"""The one place that owns integration measures and their quadrature degrees.

UFL estimates a quadrature degree from the form; non-polynomial swelling forms get degree 26-35
(hundreds of points per tetrahedron) and run hundreds of times slower for the same answer. No
femsi form integrates without an explicit degree: every measure is built here.

An axisymmetric model (x = r, y = z) integrates over the body of revolution: every volume
and surface measure carries the weight 2πr, dV = 2πr dr dz and dA = 2πr ds, so volumes,
capacities, areas, fluxes and energies are those of the full 3D body. The weight is applied by
:class:`WeightedMeasure`, which behaves like a UFL measure (``integrand * measure``,
``measure(tags)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.geometry.model import MeshModel


class WeightedMeasure:
    """A UFL measure that multiplies each integrand by a weight (2πr for axisymmetry).

    Args:
        measure: The UFL measure.
        weight: A continuous scalar UFL expression (no restriction needed on interior facets).
    """

    def __init__(self, measure: ufl.Measure, weight):
        self.measure = measure
        self.weight = weight

    def __call__(self, *args, **kwargs) -> WeightedMeasure:
        """The weighted measure restricted to subdomains, as ``ufl.Measure.__call__``."""
        return WeightedMeasure(self.measure(*args, **kwargs), self.weight)

    def __rmul__(self, integrand):
        """The weighted integral: integrand · weight · measure."""
        return (integrand * self.weight) * self.measure


def measure_weight(model: MeshModel):
    """The volume weight of a formulation: 2πr for axisymmetry, else None (weight 1)."""
    return formulation_weight(model.mesh, model.formulation)


def formulation_weight(mesh, formulation: str):
    """2πr on an axisymmetric section (x = r), else None: the one definition of the weight."""
    if formulation != "axisymmetric":
        return None
    return 2 * math.pi * ufl.SpatialCoordinate(mesh)[0]


def cell_measure(mesh, degree: int, formulation: str = "3d"):
    """The cell measure of a bare mesh (no region tags) with a fixed quadrature degree.

    For forms built on a DOLFINx mesh without a :class:`MeshModel` (the domain integrals of
    the verification tests); weighted as :func:`measure_weight` (2πr for axisymmetry).

    Args:
        mesh: The DOLFINx mesh.
        degree: Quadrature degree.
        formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
    """
    measure = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": degree})
    weight = formulation_weight(mesh, formulation)
    return measure if weight is None else WeightedMeasure(measure, weight)


@dataclass(frozen=True)
class Measures:
    """Volume and surface measures of one mesh with fixed quadrature degrees.

    Attributes:
        model: The mesh with its tags.
        mechanics_degree: Quadrature degree of the mechanics forms.
        diffusion_degree: Quadrature degree of the diffusion forms.
    """

    model: MeshModel
    mechanics_degree: int
    diffusion_degree: int

    def _weighted(self, measure: ufl.Measure):
        weight = measure_weight(self.model)
        return measure if weight is None else WeightedMeasure(measure, weight)

    def dx(self, degree: int) -> ufl.Measure:
        """Cell measure with region subdomain data (2πr-weighted for axisymmetry)."""
        return self._weighted(
            ufl.Measure(
                "dx",
                domain=self.model.mesh,
                subdomain_data=self.model.cell_tags,
                metadata={"quadrature_degree": degree},
            )
        )

    def ds(self, degree: int) -> ufl.Measure:
        """Exterior facet measure with surface subdomain data (2πr-weighted for axisymmetry)."""
        return self._weighted(
            ufl.Measure(
                "ds",
                domain=self.model.mesh,
                subdomain_data=self.model.facet_tags,
                metadata={"quadrature_degree": degree},
            )
        )

    def dS(self, degree: int) -> ufl.Measure:  # noqa: N802 - UFL's name for interior facets
        """Interior facet measure with surface subdomain data (2πr-weighted for axisymmetry)."""
        return self._weighted(
            ufl.Measure(
                "dS",
                domain=self.model.mesh,
                subdomain_data=self.model.facet_tags,
                metadata={"quadrature_degree": degree},
            )
        )

    def regions(self, names, degree: int) -> ufl.Measure:
        """The cell measure restricted to the named regions."""
        tags = tuple(self.model.regions[n] for n in names)
        return self.dx(degree)(tags)

    def lumped_regions(self, names) -> ufl.Measure:
        """The vertex-rule cell measure over the named regions: a lumped (diagonal) P1 mass.

        Exact for the P1 mass diagonal row sums; used for the storage term of diffusion with
        ``physics.mass_lumping`` (no undershoot ahead of a sharp front: the discrete
        maximum principle of a lumped mass with the stiffness of an acute mesh).
        """
        tags = tuple(self.model.regions[n] for n in names)
        return self._weighted(
            ufl.Measure(
                "dx",
                domain=self.model.mesh,
                subdomain_data=self.model.cell_tags,
                metadata={"quadrature_degree": 1, "quadrature_rule": "vertex"},
            )
        )(tags)

    def surface_integral(self, integrand, names, degree: int):
        """Integral of a continuous integrand over named surfaces, interior or exterior.

        Facets of a named surface may lie on the boundary (``ds``) or between two regions
        (``dS``, e.g. a particle inside a matrix); both parts are integrated.
        """
        if not names:  # no such surface (a mesh-file study without diffusion): integral zero
            zero = fem.Constant(self.model.mesh, 0.0)
            return zero * integrand * self.ds(degree)
        tags = tuple(self.model.surfaces[n] for n in names)
        return integrand * self.ds(degree)(tags) + ufl.avg(integrand) * self.dS(degree)(tags)

    def one_sided_surface_integral(self, integrand, names, degree: int):
        """Integral over named surfaces of an integrand that is zero on one side of them.

        On a surface between two regions (``dS``) the value is taken from the side where the
        integrand lives (a particle's stress at a particle–matrix interface, say): the two
        restrictions are added, one of them being zero.
        """
        tags = tuple(self.model.surfaces[n] for n in names)
        both_sides = integrand("+") + integrand("-")
        return integrand * self.ds(degree)(tags) + both_sides * self.dS(degree)(tags)


def default_mechanics_degree(displacement_degree: int, formulation: str = "3d") -> int:
    """Degree that integrates small-strain stiffness and the P1-eigenstrain load exactly.

    Axisymmetric forms carry the weight r (one degree more); their hoop terms u_r²/r are not
    polynomial, and the extra degree also serves them.
    """
    extra = 1 if formulation == "axisymmetric" else 0
    return max(displacement_degree, 2 * (displacement_degree - 1)) + extra


def domain_integral_degree(displacement_degree: int, formulation: str = "3d") -> int:
    """Degree of the domain integrals of G and K: 2k for displacement degree k, +1 axisymmetric.

    Above :func:`default_mechanics_degree`: the integrands multiply the strain energy and its
    stress (with E(c) and the swelling of c) by the P1 crack-advance field θ and its gradient,
    and the concentration-gradient term ∂ψ/∂c ∇c · θ. Axisymmetric forms carry the weight r.
    """
    return 2 * displacement_degree + int(formulation == "axisymmetric")
