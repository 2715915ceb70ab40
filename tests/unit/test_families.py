"""Geometry families: each declaration agrees with the schema and with what its builder makes."""

from __future__ import annotations

import typing

from mpi4py import MPI

import pytest

import femsi
from femsi.config import schema
from femsi.geometry import build_mesh
from femsi.geometry.families import FAMILIES, family_of
from tests.conftest import study

PLANE = {"dimension": 2, "formulation": "plane_strain"}
AXI = {"dimension": 2, "formulation": "axisymmetric"}


def test_one_family_per_schema_geometry_in_its_order():
    union, _ = typing.get_args(schema.Geometry)
    classes = typing.get_args(union)
    types = [typing.get_args(c.model_fields["type"].annotation)[0] for c in classes]
    assert list(FAMILIES) == types
    assert [f.schema for f in FAMILIES.values()] == list(classes)


@pytest.mark.parametrize(
    ("geometry", "materials"),
    [
        ({"type": "sphere", "radius": "1 um", "mesh_size": "0.25 um"} | PLANE, {}),
        (
            {"type": "core_shell", "radius": "1 um", "coating_thickness": "0.25 um"}
            | {"mesh_size": "0.25 um"}
            | AXI,
            {"coating": "carbon_coating"},
        ),
        (
            {"type": "hollow_sphere", "radius": "1 um", "inner_radius": "0.5 um"}
            | {"mesh_size": "0.25 um", "symmetry": "full"}
            | PLANE,
            {},
        ),
        (
            {"type": "particle_in_matrix", "radius": "1 um", "matrix_size": "2 um"}
            | {"matrix_shape": "cube", "mesh_size": "0.5 um"}
            | AXI,
            {"matrix": "li6ps5cl"},
        ),
        (
            {"type": "sphere", "radius": "1 um", "mesh_size": "0.5 um", "symmetry": "octant"},
            {},
        ),
        (
            {"type": "film", "thickness": "1 um", "width": "1 um", "mesh_size": "0.5 um"}
            | {"substrate_thickness": "1 um"},
            {"film": "amorphous_silicon", "substrate": "llzo"},
        ),
    ],
    ids=["sphere-2d", "core_shell-axi", "hollow_sphere-2d", "in_matrix-axi", "sphere-3d", "film"],
)
def test_builders_make_the_declared_regions_and_surfaces(geometry, materials):
    if geometry["type"] != "film":
        materials = {"particle": "amorphous_silicon"} | materials
    section = femsi.load_config(study(geometry=geometry, materials=materials)).study.geometry
    family = family_of(section)
    model = build_mesh(section, MPI.COMM_WORLD)
    assert set(model.regions) == set(family.regions_of(section))
    assert set(model.surfaces) <= set(family.surfaces)
