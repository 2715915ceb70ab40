"""Every production form integrates with an explicit quadrature degree.

UFL's estimate (ufl.algorithms.estimate_degrees.SumDegreeEstimator) sums the degrees of a
product's factors, multiplies them for integer powers and adds 2 for any other power or math
function (J^(-2/3), ln J): it made a finite-strain swelling form 400x slower for the same answer
(measured in femsi)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import femsi
from femsi.geometry import build_mesh
from femsi.physics.model import CoupledModel
from tests.conftest import study


def _integrals(form):
    return form.integrals()


@pytest.mark.parametrize("mechanics", ["small_strain", "finite_strain"])
def test_model_forms_carry_explicit_degrees(mechanics):
    config = femsi.load_config(
        study(
            geometry={
                "type": "particle_in_matrix",
                "radius": "1 um",
                "matrix_size": "2 um",
                "mesh_size": "0.4 um",
                "outer_boundary": "pressure",
                "outer_pressure": "1 MPa",
            },
            materials={"particle": "amorphous_silicon", "matrix": "llzo"},
            physics={"mechanics": mechanics, "displacement_degree": 2},
        )
    )
    model = CoupledModel(build_mesh(config.study.geometry), config.materials, config.study.physics)
    forms = [
        model.diffusion_form,
        model.diffusion_jacobian,
        model.mechanics_form,
        model.energy_form,
        model.active_capacity_form,
        model.active_area_form,
    ]
    degrees = set()
    for form in forms:
        for integral in _integrals(form):
            degree = integral.metadata().get("quadrature_degree")
            assert degree is not None, integral
            degrees.add(degree)
    assert max(degrees) <= 3


def test_no_bare_measures_in_the_source():
    """No ``ufl.dx``-style measure, and every ``ufl.Measure(...)`` call sets metadata."""
    root = Path(__file__).resolve().parents[2] / "femsi"
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text()
        offenders += [f"{path}: {m.group()}" for m in re.finditer(r"ufl\.d[xsS]\b", text)]
        for m in re.finditer(r"ufl\.Measure\(", text):
            call = text[m.end() : text.index(")", m.end())]
            if "metadata" not in call:
                offenders.append(f"{path}: ufl.Measure without metadata")
    assert not offenders
