"""Penny cracks under remote tension: the axisymmetric half section and the 3D quarter.

Reference: K_I = 2σ√(a/π) (Sneddon 1946; Tada, Paris & Irwin 2000) for a penny crack of
radius a in an infinite body; here a = 1 in a cylinder of radius and half-height 20 a
(axisymmetric) or 10 a (3D), traction σ on the end z = h, the ligament held at u_z = 0, the
crack face free (the half z ≥ 0 of a body symmetric about the crack plane).

Run as a script (``python -m tests.support.penny_fe``, also under ``mpirun``) it prints G and K of
both models as JSON, for the serial-versus-parallel test.
"""

from __future__ import annotations

import json
import math

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.config.schema import Physics
from femsi.cracks.domain_integral import DomainIntegral
from femsi.cracks.penny_cylinder import penny_front, penny_quarter, penny_section
from femsi.materials.library import resolve_material
from femsi.physics.kinematics import displacement_gradient
from femsi.physics.measures import WeightedMeasure
from femsi.physics.model import CoupledModel
from tests.support.fracture_fe import NU, E
from tests.support.fracture_general_fe import minimise, small_strain

SIGMA = 100e6
A = 1.0
K_REF = 2 * SIGMA * math.sqrt(A / math.pi)
SECTION_RINGS = [(0.05, 0.1), (0.1, 0.2), (0.15, 0.3), (0.2, 0.4)]
FRONT_RINGS = [(0.1, 0.2), (0.15, 0.3), (0.2, 0.4)]
FRONT_POINTS = 91
STATIONS = np.arange(0, FRONT_POINTS, 10)


def _held(V, model, conditions):
    """Zero displacement components on named surfaces: {surface: component}."""
    bcs = []
    fdim = model.mesh.topology.dim - 1
    for name, component in conditions.items():
        sub = V.sub(component)
        Vs = sub.collapse()[0]
        dofs = fem.locate_dofs_topological((sub, Vs), fdim, model.facets_of(name))
        bcs.append(fem.dirichletbc(fem.Function(Vs), dofs, sub))
    return bcs


def solve_penny(model, u, energy, degree: int, concentration=None):
    """Minimise Π = ∫ ψ dV − ∫ σ u_z dA(top) of a penny model (axisymmetric or 3D quarter)."""
    msh = model.mesh
    formulation = model.formulation
    metadata = {"quadrature_degree": degree}
    dx = ufl.Measure("dx", domain=msh, metadata=metadata)
    ds = ufl.Measure("ds", domain=msh, subdomain_data=model.facet_tags, metadata=metadata)
    if formulation == "axisymmetric":
        weight = 2 * math.pi * ufl.SpatialCoordinate(msh)[0]
        dx, ds = WeightedMeasure(dx, weight), WeightedMeasure(ds, weight)
        conditions = {"axis": 0, "ligament": 1}
    else:
        conditions = {"x0": 0, "y0": 1, "ligament": 2}
    load = fem.Constant(msh, 0.0)
    axial = u[msh.geometry.dim - 1]
    psi = energy(displacement_gradient(u, formulation), concentration)
    potential = psi * dx - load * axial * ds(model.surfaces["top"])
    minimise(u, potential, _held(u.function_space, model, conditions), load, SIGMA, prefix="penny_")
    return u


def section(tip_size: float, degree: int = 5):
    """Axisymmetric penny crack, linear elastic: (DomainIntegral, tip)."""
    model, tip = penny_section(A, 20 * A, 20 * A, 2 * A, tip_size)
    u = fem.Function(fem.functionspace(model.mesh, ("Lagrange", 2, (2,))))
    solve_penny(model, u, small_strain, degree)
    integral = DomainIntegral.from_energy(
        u,
        small_strain,
        degree,
        formulation="axisymmetric",
        youngs_modulus=E,
        poissons_ratio=NU,
    )
    return integral, tip


def quarter(tip_size: float, degree: int = 4):
    """3D quarter penny crack, linear elastic: the FrontResult at 10 stations, 3 rings."""
    model = penny_quarter(A, 10 * A, 10 * A, 2 * A, tip_size)
    u = fem.Function(fem.functionspace(model.mesh, ("Lagrange", 2, (3,))))
    solve_penny(model, u, small_strain, 2)
    integral = DomainIntegral.from_energy(u, small_strain, degree, formulation="3d")
    points, normals = penny_front(A, FRONT_POINTS)
    return integral.evaluate_front(points, normals, FRONT_RINGS, STATIONS, symmetric=True)


def section_model(tip_size: float, swelling: float, mechanics: str = "small_strain"):
    """The axisymmetric penny as a study model with a swelling bump at the crack centre.

    a-Si with E = 100 GPa, ν = 0.25; concentration c with Ω c = swelling · exp(−(r² + z²)/a²).

    Returns:
        (CoupledModel solved under the tension σ, tip).
    """
    mesh_model, tip = penny_section(A, 20 * A, 20 * A, 2 * A, tip_size)
    spec = {"base": "amorphous_silicon", "youngs_modulus": f"{E} Pa", "poissons_ratio": NU}
    material = resolve_material(spec, "materials.body")
    physics = Physics(mechanics=mechanics, displacement_degree=2, concentration_degree=2)
    model = CoupledModel(mesh_model, {"body": material}, physics)
    scale = material.partial_molar_volume * material.max_concentration
    model.theta.interpolate(lambda x: swelling * np.exp(-(x[0] ** 2 + x[1] ** 2) / A**2) / scale)
    solve_penny(mesh_model, model.u, model.strain_energy_density, 5, model.concentration)
    return model, tip


def results() -> dict:
    """G, K_I of the axisymmetric study model with swelling (for_model) and the 3D front's G."""
    model, tip = section_model(0.02, 3e-3)
    integral = DomainIntegral.for_model(model)
    axi = integral.evaluate(tip.point, tip.direction, SECTION_RINGS, symmetric=True)
    front = quarter(0.1)
    return {"G": axi.G.tolist(), "K_I": axi.K_I.tolist(), "front": front.G.tolist()}


if __name__ == "__main__":
    values = results()
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps(values))
