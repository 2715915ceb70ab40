"""Load a study: YAML, overrides, validation, material resolution, cross-checks.

All problems surface as :class:`femsi.errors.InputError` naming the config field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from femsi.config.mesh_guard import check_elements
from femsi.config.overrides import apply_overrides
from femsi.config.probe_points import resolve_probes
from femsi.config.schema import (
    ElectrodeGeometry,
    MeshFileGeometry,
    RveGeometry,
    Study,
)
from femsi.cracks.config_layouts import crack_layouts
from femsi.cracks.layout import CrackLayout
from femsi.errors import InputError
from femsi.geometry.families import FAMILIES, family_of, types_where
from femsi.materials import Material, resolve_material
from femsi.materials.fracture import fracture_energy
from femsi.yaml_input import read_yaml_file

#: Radius distributions, as pydantic names them in error locations.
RADIUS_KINDS = {"constant", "lognormal", "list"}
#: The fields that select a 2D (axisymmetric or plane-strain) model.
TWO_D_FIELDS = {"geometry.dimension", "geometry.formulation"}
#: Regions whose material may be left out: they then take the material of another region.
MATERIAL_DEFAULTS = {"separator": "matrix"}


@dataclass(frozen=True)
class StudyConfig:
    """A validated study with its materials resolved.

    Attributes:
        study: The validated settings, SI.
        materials: Region name to resolved material.
        source: Path of the YAML file (``None`` for a dict).
        raw: The raw tree after overrides, as the user wrote it.
        crack_layouts: The layouts of the built-in cracks, computed (and checked) once when
            the study is loaded (:func:`~femsi.cracks.config_layouts.crack_layouts`; ``tagged``
            cracks are laid out on the mesh): what the mesh builders embed.
        warnings: What the study may get wrong (a mesh too coarse, P1 near locking):
            printed by the CLI and kept in ``summary.json``.
    """

    study: Study
    materials: dict[str, Material]
    source: Path | None = None
    raw: dict = field(default_factory=dict)
    crack_layouts: tuple[CrackLayout, ...] = ()
    warnings: tuple[str, ...] = ()

    def resolved(self) -> dict:
        """The fully resolved config (SI numbers) as plain data, for ``config.yaml``."""
        tree = self.study.model_dump(mode="json")
        tree["materials"] = {
            region: _material_as_dict(material) for region, material in self.materials.items()
        }
        return tree

    def hash(self) -> str:
        """A short stable hash of the resolved config."""
        text = json.dumps(self.resolved(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _material_as_dict(m: Material) -> dict:
    def soc(f):
        if f is None:
            return None
        if f.is_constant:
            return f.value[0]
        return {"log_table" if f.log else "table": {"soc": list(f.soc), "value": list(f.value)}}

    return {
        "name": m.name,
        "category": m.category,
        "youngs_modulus": soc(m.youngs_modulus),
        "poissons_ratio": m.poissons_ratio,
        "partial_molar_volume": m.partial_molar_volume,
        "max_concentration": m.max_concentration,
        "diffusivity": soc(m.diffusivity),
        "initial_soc": m.initial_soc,
        "stress_free_soc": m.stress_free_soc,
        "thermal_expansion": m.thermal_expansion,
        **{k: soc(v) if hasattr(v, "soc") else v for k, v in m.extra.items()},
    }


def read_yaml(path: Path) -> dict:
    """Read a YAML mapping from ``path``.

    Raises:
        InputError: Missing file, text that is not UTF-8, a YAML syntax error, a key given
            twice, or a document that is not a mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such config file")
    tree = read_yaml_file(path)
    if not isinstance(tree, dict):
        raise InputError(str(path), "the study file must be a YAML mapping of sections")
    return tree


def load_config(source: str | Path | dict, overrides: list[str] | None = None) -> StudyConfig:
    """Load, override, validate and resolve a study.

    Args:
        source: A YAML file path or an already-parsed mapping.
        overrides: ``dotted.path=value`` assignments (values parsed as YAML).

    Returns:
        The validated study with resolved materials.

    Raises:
        InputError: Anything wrong with the input, naming the field.
    """
    path = None if isinstance(source, dict) else Path(source)
    tree = dict(source) if isinstance(source, dict) else read_yaml(Path(source))
    tree = apply_overrides(tree, overrides or [])
    try:
        study = Study.model_validate(tree)
    except ValidationError as err:
        raise _input_error(err) from None
    if path is not None and isinstance(study.geometry, MeshFileGeometry):
        mesh_path = Path(study.geometry.path)
        if not mesh_path.is_absolute():
            mesh_path = (path.parent / mesh_path).resolve()
            if not mesh_path.exists() and Path(study.geometry.path).exists():
                mesh_path = Path(study.geometry.path).resolve()
            study = study.model_copy(
                update={"geometry": study.geometry.model_copy(update={"path": str(mesh_path)})}
            )
    materials = {
        region: resolve_material(spec, f"materials.{region}")
        for region, spec in study.materials.items()
    }
    family = family_of(study.geometry)
    if family.regions is not None:
        built = family.regions_of(study.geometry)
        for region, fallback in MATERIAL_DEFAULTS.items():
            if region in built and region not in materials and fallback in materials:
                materials[region] = materials[fallback]
    probes = resolve_probes(study.geometry, dict(study.outputs.probes))
    study = study.model_copy(
        update={"outputs": study.outputs.model_copy(update={"probes": probes})}
    )
    layouts = _check_consistency(study, materials)
    warnings = tuple(check_elements(study, materials))
    return StudyConfig(
        study=study,
        materials=materials,
        source=path,
        raw=tree,
        crack_layouts=layouts,
        warnings=warnings,
    )


def _input_error(err: ValidationError) -> InputError:
    lines: list[tuple[str, str]] = []
    for item in err.errors():
        loc = [str(p) for p in item["loc"]]
        # Discriminated unions insert the tag ("geometry.sphere.radius"): drop it.
        if len(loc) > 1 and loc[0] == "geometry" and loc[1] in FAMILIES:
            loc.pop(1)
        # ... and so do radius distributions ("geometry.radius.lognormal.std").
        for k in range(len(loc) - 1, 0, -1):
            if loc[k] in RADIUS_KINDS and loc[k - 1] == "radius":
                loc.pop(k)
        # Unions of tuples (2D or 3D points) name each alternative ("tuple[...]"): drop it,
        # and keep only the first alternative's complaint about one field.
        loc = [
            p
            for p in loc
            if not p.startswith(("tuple[", "union[", "dict[", "list[", "function-", "constrained-"))
            and p not in ("str", "int", "float", "RelativePoint")
        ]
        where = ".".join(loc) or "study"
        message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if item["type"] == "extra_forbidden" and where in TWO_D_FIELDS:
            message = (
                "this geometry type is 3D only (dimension: 2 exists for "
                f"{', '.join(sorted(types_where(lambda f: f.sections)))})"
            )
        elif item["type"] == "extra_forbidden":
            message = "unknown key (not part of the study schema; check the spelling)"
        elif item["type"] == "missing":
            message = "required but missing"
        lines.append((where, message))
    # A union (a point: 2D or 3D, or a name) fails once per alternative: keep the deepest
    # complaint about one field, once.
    deepest = [
        (where, message)
        for where, message in lines
        if not any(other.startswith(where + ".") for other, _ in lines)
    ]
    lines = [line for k, line in enumerate(deepest) if line[0] not in [w for w, _ in deepest[:k]]]
    field_path, message = lines[0]
    for extra_field, extra_message in lines[1:]:
        message += f"\n  {extra_field}: {extra_message}"
    return InputError(field_path, message)


def _check_cell(study: Study) -> None:
    """The cell section and preload steps fit the geometry and each other."""
    cell, kind = study.cell, study.geometry.type
    preloads = [i for i, step in enumerate(study.protocol) if step.kind == "preload"]
    if cell is not None and not family_of(study.geometry).cell:
        fits = ", ".join(sorted(types_where(lambda f: f.cell)))
        raise InputError("cell", f"a {kind} has no die or plate (a cell fits: {fits})")
    plate = cell.plate if cell is not None else "none"
    if plate != "none" and study.physics.mechanics == "none":
        raise InputError("cell.plate", "a pressure plate needs mechanics (physics.mechanics)")
    if preloads and plate == "none":
        raise InputError(
            f"protocol.{preloads[0]}.preload",
            "a preload needs a plate to press with: set cell.plate",
        )
    for index, layer in enumerate(cell.stack if cell is not None else ()):
        if layer.material is not None:
            resolve_material(layer.material, f"cell.stack.{index}.material")


def _check_plasticity_and_coupling(study: Study, materials: dict[str, Material]) -> None:
    """Plastic regions exist and carry flow parameters; coupling has what it needs."""
    physics = study.physics
    if physics.constitutive != "elastic" and not physics.plastic_regions:
        raise InputError(
            "physics.plastic_regions",
            f"constitutive: {physics.constitutive} needs the regions that flow",
        )
    if physics.constitutive == "elastic" and physics.plastic_regions:
        raise InputError("physics.plastic_regions", "is set but constitutive is 'elastic'")
    for region in physics.plastic_regions:
        if region not in materials:
            raise InputError(
                "physics.plastic_regions", f"no region {region!r} (regions: {', '.join(materials)})"
            )
        extra = materials[region].extra
        if extra.get("yield_stress") is None:
            raise InputError(
                f"materials.{region}.yield_stress",
                f"physics.constitutive: {physics.constitutive} needs a yield stress in every "
                "plastic region",
            )
        if physics.constitutive == "viscoplastic" and extra.get("viscoplastic_rate") is None:
            raise InputError(
                f"materials.{region}.viscoplastic_rate",
                "physics.constitutive: viscoplastic needs the reference plastic strain rate",
            )
    if physics.plastic_regions and physics.mechanics == "none":
        raise InputError("physics.constitutive", "plasticity needs mechanics (physics.mechanics)")
    for index, step in enumerate(study.protocol):
        if step.kind != "hold":
            continue
        assert step.hold is not None  # the step's kind
        if physics.surface_kinetics == "butler_volmer" and step.hold.potential is None:
            raise InputError(
                f"protocol.{index}.hold.potential",
                "with physics.surface_kinetics: butler_volmer a hold imposes the electrode "
                "potential (potential: 0.1 V), not a surface concentration",
            )
        if physics.surface_kinetics == "flux" and step.hold.potential is not None:
            raise InputError(
                f"protocol.{index}.hold.potential",
                "an imposed potential needs physics.surface_kinetics: butler_volmer",
            )
    if physics.surface_kinetics == "butler_volmer":
        if not physics.diffusion:
            raise InputError("physics.surface_kinetics", "butler_volmer needs diffusion")
        for region, material in materials.items():
            if not material.is_active:
                continue
            for key in ("open_circuit_potential", "exchange_current_density"):
                if material.extra.get(key) is None:
                    raise InputError(
                        f"materials.{region}.{key}",
                        "physics.surface_kinetics: butler_volmer needs it",
                    )
    if physics.mass_lumping and physics.concentration_degree != 1:
        raise InputError("physics.mass_lumping", "needs concentration_degree: 1 (vertex rule)")
    if physics.stress_diffusion_coupling:
        if physics.mechanics == "none" or not physics.diffusion:
            raise InputError(
                "physics.stress_diffusion_coupling", "needs both mechanics and diffusion"
            )
        if physics.displacement_degree != 2:
            raise InputError(
                "physics.stress_diffusion_coupling",
                "needs displacement_degree: 2 (the flux uses the gradient of the stress)",
            )
        if study.cell is not None and study.cell.plate != "none":
            raise InputError(
                "physics.stress_diffusion_coupling", "is not available with a pressure plate yet"
            )


def _check_phase_field(study: Study, materials: dict[str, Material]) -> None:
    """Phase-field fracture: small strain, cracking regions that exist and have a G_c."""
    pf = study.phase_field
    if pf is None:
        return
    physics = study.physics
    if physics.mechanics != "small_strain":
        raise InputError(
            "physics.mechanics",
            "phase-field fracture is small strain: set physics.mechanics: small_strain",
        )
    for region in pf.regions:
        if region not in materials:
            raise InputError(
                "phase_field.regions", f"no region {region!r} (regions: {', '.join(materials)})"
            )
        if region in physics.plastic_regions:
            raise InputError(
                "phase_field.regions",
                f"{region!r} is also a plastic region; cracking and plastic flow in one region "
                "are not available",
            )
        if fracture_energy(materials[region]) is None:
            raise InputError(
                f"materials.{region}.fracture_energy",
                "a cracking region (phase_field.regions) needs its material's fracture_energy "
                "or fracture_toughness",
            )
    if len(set(pf.regions)) != len(pf.regions):
        raise InputError("phase_field.regions", "lists a region twice")
    if isinstance(pf.length_scale, dict):
        for region in pf.length_scale:
            if region not in pf.regions:
                raise InputError(
                    f"phase_field.length_scale.{region}",
                    f"{region!r} is not a cracking region (phase_field.regions: "
                    f"{', '.join(pf.regions)})",
                )
        for region in pf.regions:
            if region not in pf.length_scale:
                raise InputError(
                    "phase_field.length_scale",
                    f"no length for the cracking region {region!r}: give one per region "
                    "or a single length",
                )
    if physics.stress_diffusion_coupling:
        raise InputError(
            "physics.stress_diffusion_coupling", "is not available with phase_field yet"
        )
    if study.cell is not None and study.cell.plate != "none":
        raise InputError("cell.plate", "a pressure plate with phase_field is not available yet")
    planar = getattr(study.geometry, "dimension", 3) == 2
    for index, crack in enumerate(pf.initial_cracks):
        for end in ("start", "end"):
            point = getattr(crack, end)
            where = f"phase_field.initial_cracks.{index}.{end}"
            if planar and len(point) == 3 and point[2] != 0:
                raise InputError(where, "a 2D study's points lie in the x-y plane (z = 0)")
            if not planar and len(point) != 3:
                raise InputError(where, "a 3D study needs three coordinates")


def _check_dimension(study: Study) -> None:
    """A 2D study names its formulation and uses only what the 2D models provide."""
    geometry = study.geometry
    dimension = getattr(geometry, "dimension", 3)
    formulation = getattr(geometry, "formulation", None)
    symmetry = getattr(geometry, "symmetry", None)
    if symmetry == "half" and (dimension != 2 or formulation != "plane_strain"):
        raise InputError(
            "geometry.symmetry",
            "half (the half y >= 0 of a section) is for 2D plane-strain sections; an "
            "axisymmetric section's mirror is octant",
        )
    if dimension == 3:
        if formulation is not None:
            raise InputError("geometry.formulation", f"{formulation} needs geometry.dimension: 2")
        return
    if geometry.type == "mesh_file" and not str(geometry.path).endswith(".msh"):
        raise InputError("geometry.path", "a 2D mesh file must be a Gmsh .msh file")
    if formulation is None:
        raise InputError("geometry.formulation", "dimension: 2 needs axisymmetric or plane_strain")
    if geometry.type == "film" and formulation != "plane_strain":
        raise InputError("geometry.formulation", "a 2D film is a plane_strain strip")


def _check_consistency(study: Study, materials: dict[str, Material]) -> tuple[CrackLayout, ...]:
    """Cross-section checks; returns the crack layouts (laid out to check the cracks)."""
    geometry = study.geometry
    family = family_of(geometry)
    _check_dimension(study)
    _check_cell(study)
    _check_plasticity_and_coupling(study, materials)
    layouts = tuple(crack_layouts(study))
    _check_phase_field(study, materials)
    if family.regions is not None:
        assert not isinstance(geometry, MeshFileGeometry)  # its family leaves the regions open
        needed = family.regions_of(geometry)
        for region in needed:
            if region not in materials:
                raise InputError(f"materials.{region}", f"{geometry.type} needs a material here")
        for region in materials:
            if region not in needed:
                why = ""
                if region in family.regions:
                    why = " with these options (a zero thickness or no inert phase)"
                raise InputError(
                    f"materials.{region}",
                    f"{geometry.type} has no region {region!r}{why} (it has: {', '.join(needed)})",
                )
        if geometry.mesh_size > geometry.smallest_feature():
            raise InputError(
                "geometry.mesh_size",
                f"{geometry.mesh_size:.3g} m is larger than the smallest feature "
                f"({geometry.smallest_feature():.3g} m) it must resolve",
            )
        if isinstance(geometry, ElectrodeGeometry | RveGeometry):
            field = "particle_mesh_size" if geometry.particle_mesh_size else "mesh_size"
            inert = getattr(geometry, "inert", None)
            smallest = (
                min(geometry.radius.mean, inert.radius.mean) if inert else geometry.radius.mean
            )
            if geometry.particle_h > smallest:
                raise InputError(
                    f"geometry.{field}",
                    f"{geometry.particle_h:.3g} m inside the particles is larger than their "
                    f"mean radius ({smallest:.3g} m)",
                )
        if family.active_regions is not None:
            for region, material in materials.items():
                if region not in family.active_regions and material.is_active:
                    raise InputError(
                        f"materials.{region}",
                        "only the particle may be an active (lithium-storing) material",
                    )
    if study.physics.diffusion and not any(m.is_active for m in materials.values()):
        raise InputError("materials", "physics.diffusion needs at least one active material")
    for index, step in enumerate(study.protocol):
        body = step.body
        if step.kind in {"lithiate", "delithiate", "hold"} and not study.physics.diffusion:
            raise InputError(f"protocol.{index}.{step.kind}", "needs physics.diffusion: true")
        until = getattr(body, "until_soc", None)
        if step.kind == "hold" and until is not None:
            active = [m for m in materials.values() if m.is_active]
            start = active[0].initial_soc if active else 0.0
            if until == start:
                raise InputError(f"protocol.{index}.hold.until_soc", "equals the initial SOC")
    return layouts
