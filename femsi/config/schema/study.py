"""The sections of a study besides its geometry, and the study itself."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)

from femsi.config.schema.geometry import Geometry
from femsi.config.schema.quantities import (
    Angle,
    CompressivePressure,
    Fraction,
    Point,
    PositiveCurrentDensity,
    PositiveLength,
    PositiveTemperature,
    PositiveTime,
    Section,
    StiffnessPerArea,
    Voltage,
)

# --------------------------------------------------------------------------- physics


class Physics(Section):
    """The model: which mechanics, which couplings, which elements.

    ``quadrature_degree`` defaults to the degree that integrates the small-strain forms
    exactly: max(displacement_degree, 2 (displacement_degree - 1)) for mechanics, and 2
    (3 with a SOC-dependent diffusivity) for diffusion.

    ``constitutive`` (elastic, elastoplastic, viscoplastic) applies in ``plastic_regions``
    only; ``stress_diffusion_coupling`` adds -Ω σ_h to the chemical potential
    (``chemical_potential``, at ``temperature``), solved by ``coupling_scheme``;
    ``surface_kinetics: butler_volmer`` replaces the imposed flux by Butler-Volmer kinetics
    with the electrode potential as an unknown. Every switch is off by default.
    """

    mechanics: Literal["small_strain", "finite_strain", "none"] = "finite_strain"
    diffusion: bool = True
    swelling: bool = True
    displacement_degree: Literal[1, 2] = 2
    concentration_degree: Literal[1, 2] = 1
    quadrature_degree: Annotated[int, Field(ge=1, le=8)] | None = None
    # Plasticity (issue 4): J2 flow in the listed regions, every switch explicit.
    constitutive: Literal["elastic", "elastoplastic", "viscoplastic"] = "elastic"
    plastic_regions: list[str] = Field(default_factory=list)
    # Two-way stress-diffusion coupling (issue 4), solved monolithically by default.
    stress_diffusion_coupling: bool = False
    coupling_scheme: Literal["monolithic", "staggered"] = "monolithic"
    chemical_potential: Literal["dilute", "ideal_solution"] = "dilute"
    temperature: PositiveTemperature = 298.15
    # Surface reaction (issue 4): an imposed flux, or Butler-Volmer kinetics with the
    # electrode potential as a global unknown (galvanostatic) or imposed (hold: potential).
    surface_kinetics: Literal["flux", "butler_volmer"] = "flux"
    # Lumped storage term of diffusion (P1 concentration): no undershoot at sharp fronts.
    mass_lumping: bool = False


# --------------------------------------------------------------------------- protocol


class _Galvanostatic(Section):
    c_rate: Annotated[float, Field(gt=0)] | None = None
    temperature: PositiveTemperature | None = Field(
        None, description="cell temperature during the step (thermal strain), K"
    )
    current_density: PositiveCurrentDensity | None = None
    until_soc: Fraction | None = None
    duration: PositiveTime | None = None

    @model_validator(mode="after")
    def _one_drive_one_end(self):
        if (self.c_rate is None) == (self.current_density is None):
            raise ValueError("give exactly one of c_rate and current_density")
        if self.until_soc is None and self.duration is None:
            raise ValueError("give until_soc, duration or both")
        return self


class Lithiate(_Galvanostatic):
    """Constant current into the active surface (galvanostatic lithiation)."""


class Delithiate(_Galvanostatic):
    """Constant current out of the active surface (galvanostatic delithiation)."""


class Rest(Section):
    """No current for ``duration``; a ``temperature`` is reached linearly over the rest."""

    duration: PositiveTime
    temperature: PositiveTemperature | None = Field(
        None, description="cell temperature at the end of the rest, ramped from the last, K"
    )


class Hold(Section):
    """Potentiostatic: a fixed surface concentration or a fixed electrode potential.

    ``surface_soc`` with a pure flux surface, ``potential`` (vs Li/Li+) with Butler-Volmer
    kinetics; the hold ends at a duration or an SOC.
    """

    surface_soc: Fraction | None = None
    potential: Voltage | None = None
    duration: PositiveTime | None = None
    until_soc: Fraction | None = None
    temperature: PositiveTemperature | None = Field(
        None, description="cell temperature during the step (thermal strain), K"
    )

    @model_validator(mode="after")
    def _one_end(self):
        if self.until_soc is None and self.duration is None:
            raise ValueError("give until_soc, duration or both")
        if (self.surface_soc is None) == (self.potential is None):
            raise ValueError("give exactly one of surface_soc and potential")
        return self


class Preload(Section):
    """Press the plate to ``pressure`` (no current, no time), in ``increments`` load steps.

    The fabrication or cell-assembly pressure. After the last preload a ``fixed_gap`` plate
    is held where it stands and a ``fixture_stiffness`` spring starts from there; a
    ``stack_pressure`` plate keeps the last preload pressure.
    """

    pressure: CompressivePressure
    increments: Annotated[int, Field(ge=1, le=100)] = 4


STEP_KINDS = ("lithiate", "delithiate", "rest", "hold", "preload")


class ProtocolStep(Section):
    """One protocol entry: one of ``lithiate``, ``delithiate``, ``rest``, ``hold``, ``preload``."""

    lithiate: Lithiate | None = None
    delithiate: Delithiate | None = None
    rest: Rest | None = None
    hold: Hold | None = None
    preload: Preload | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in STEP_KINDS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"each protocol step is one of {', '.join(STEP_KINDS)}")
        return self

    @property
    def kind(self) -> str:
        """The step's name."""
        return next(k for k in STEP_KINDS if getattr(self, k))

    @property
    def body(self) -> Lithiate | Delithiate | Rest | Hold | Preload:
        """The step's settings."""
        return getattr(self, self.kind)


# --------------------------------------------------------------------------- cell


class Cell(Section):
    """The fixture around a layered body (``electrode``, ``rve``, ``film``).

    The body stands on the die floor (no normal displacement, free sliding). ``lateral:
    confined`` holds the side faces by die walls (no normal displacement); ``free`` leaves them
    free. ``plate`` is the top pressure plate, rigid and flat (one unknown displacement):

    - ``none``: no plate, the top is free;
    - ``stack_pressure``: the plate carries a constant force (the last ``preload`` pressure
      times the cell area) and moves; its displacement is the thickness change;
    - ``fixed_gap``: the plate is held where the last ``preload`` left it; the force on it
      (a load cell) is reported as the stack pressure;
    - ``fixture_stiffness``: a spring of ``fixture_stiffness`` (Pa/m: N/m of fixture per m²
      of cell area) between plate and frame, preloaded by the last ``preload``.
    """

    plate: Literal["none", "stack_pressure", "fixed_gap", "fixture_stiffness"] = "none"
    lateral: Literal["confined", "free"] = "confined"
    fixture_stiffness: StiffnessPerArea | None = None

    @model_validator(mode="after")
    def _stiffness_for_spring(self):
        if (self.plate == "fixture_stiffness") != (self.fixture_stiffness is not None):
            raise ValueError("fixture_stiffness is given exactly when plate is fixture_stiffness")
        return self


# --------------------------------------------------------------------------- phase field


class Staggered(Section):
    """Alternate minimisation per step: displacement, then damage, until the damage settles.

    Converged when the largest nodal damage change of an iteration is at most ``tolerance``;
    a step that needs more than ``max_iterations`` fails and is cut like any failed solve.
    """

    tolerance: Annotated[float, Field(gt=0, lt=1)] = 1e-3
    max_iterations: Annotated[int, Field(ge=1)] = 300


class InitialCrack(Section):
    """A straight flaw from ``start`` to ``end``: damage 1 there from the start."""

    start: Point
    end: Point


class PhaseFieldFracture(Section):
    """Phase-field fracture (small strain): cracks that nucleate and grow in ``regions``.

    ``model`` is the Ambrosio-Tortorelli regularisation (AT1: elastic until a strength,
    AT2: damage from the first load), ``split`` the part of the elastic energy that cracks,
    ``length_scale`` the width of the smeared crack (it sets the strength, and must be at
    least twice the largest cell in the cracking regions): one length, or one per cracking
    region (``{particle: 20 nm, electrolyte: 50 nm}``). ``irreversibility`` defaults to
    ``history`` for AT2 and ``bounds`` for AT1. The fracture energy of each region is its
    material's ``fracture_energy``, or G_c = K_IC² (1 - ν²)/E from its
    ``fracture_toughness``.
    """

    model: Literal["AT1", "AT2"] = "AT2"
    split: Literal["none", "volumetric_deviatoric", "spectral"] = "spectral"
    irreversibility: Literal["history", "bounds"]
    length_scale: PositiveLength | dict[str, PositiveLength]
    regions: Annotated[list[str], Field(min_length=1)]
    residual_stiffness: Annotated[float, Field(ge=0, lt=1)] = 1e-6
    initial_cracks: list[InitialCrack] = Field(default_factory=list)
    onset_damage: Annotated[float, Field(gt=0, le=1)] = 0.9
    staggered: Staggered = Staggered()

    @model_validator(mode="before")
    @classmethod
    def _default_irreversibility(cls, data):
        if isinstance(data, dict) and data.get("irreversibility") is None:
            data = {
                **data,
                "irreversibility": "bounds" if data.get("model") == "AT1" else "history",
            }
        return data


# --------------------------------------------------------------------------- time, outputs


class Time(Section):
    """Adaptive time stepping: grow after easy steps, cut after failed ones."""

    initial_step: PositiveTime
    max_step: PositiveTime
    min_step: PositiveTime | None = None
    growth: Annotated[float, Field(ge=1.0, le=4.0)] = 1.5
    cut: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    max_soc_change: Annotated[float, Field(gt=0, le=1)] = 0.02
    max_steps: int | None = Field(
        default=None,
        ge=1,
        description="end the run after this many accepted time steps, wherever the protocol "
        "is: a quick look at a study or a smoke test (`--set time.max_steps=3`); the summary "
        "says `end_reason: time.max_steps`. null: no limit",
    )

    @model_validator(mode="after")
    def _ordered(self):
        if self.max_step < self.initial_step:
            raise ValueError("max_step must not be smaller than initial_step")
        if self.min_step is not None and self.min_step > self.initial_step:
            raise ValueError("min_step must not be larger than initial_step")
        return self

    @property
    def smallest_step(self) -> float:
        """The step below which a failing solve stops the run."""
        return self.min_step if self.min_step is not None else self.initial_step / 1024


class RelativePoint(Section):
    """A point in units of the geometry (:mod:`femsi.config.probe_points`)."""

    fraction: tuple[float, float, float] | tuple[float, float]


class Outputs(Section):
    """What is written besides ``timeseries.csv``, ``summary.json`` and ``manifest.json``.

    A probe is a point, a named point of the geometry (``surface``, ``centre``, ...) or
    ``{fraction: [...]}`` in units of the geometry; names and fractions are resolved to points
    when the study is loaded.
    """

    every: Annotated[int, Field(ge=0)] = 5
    fields: bool = True
    field_space: Literal["P1", "displacement"] = Field(
        default="P1",
        description=(
            "the one space of every field in fields/fields.bp: P1 (the mesh vertices, the "
            "smallest file) or displacement (continuous Lagrange of physics.displacement_degree, "
            "about 6x larger with P2); discontinuous fields (stresses, J, plastic strain) are "
            "volume-weighted nodal averages"
        ),
    )
    length_unit: PositiveLength = Field(
        default=1.0,
        description=(
            "unit of the coordinates and the displacement u in fields/fields.bp (ParaView), e.g. "
            "1 um for axes in micrometres; every other array, and the snapshots, stay SI"
        ),
    )
    probes: dict[str, Point | RelativePoint | str] = Field(default_factory=dict)
    figures: bool = True


# --------------------------------------------------------------------------- solver


class SubSolver(Section):
    """Settings of one sub-solver (Newton + linear solver)."""

    linear_solver: Literal["iterative", "direct"] = "iterative"
    rtol: Annotated[float, Field(gt=0, lt=1)] = 1e-8
    atol: Annotated[float, Field(ge=0)] = 1e-10
    max_iterations: Annotated[int, Field(ge=1)] = 25
    ksp_rtol: Annotated[float, Field(gt=0, lt=1)] = 1e-10
    petsc_options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    # Mechanics only (see docs/solvers.md): ``auto`` factors a fixed operator once with MUMPS
    # when the estimated factor fits in memory, else the iterative (AMG) path.
    strategy: Literal["auto", "direct", "iterative"] = "auto"
    # Memory (MB, all ranks) the MUMPS factor may take; None: half of the available memory.
    direct_memory_limit_mb: Annotated[float, Field(gt=0)] | None = None


class Solver(Section):
    """PETSc settings per sub-solver; ``petsc_options`` are passed verbatim last."""

    diffusion: SubSolver = SubSolver(linear_solver="direct", atol=1e-12)
    mechanics: SubSolver = SubSolver()
    # The damage of phase-field fracture; a bound-constrained solve needs about one
    # iteration per cell layer the damage front crosses, hence the many iterations.
    damage: SubSolver = SubSolver(linear_solver="direct", max_iterations=200)


# --------------------------------------------------------------------------- cracks

CRACK_KINDS = ("edge", "centre", "coating", "channel", "electrolyte", "tagged")


class Crack(Section):
    """A pre-existing crack whose energy release rate is evaluated after every step.

    Kinds (2D sections; the geometry each needs in brackets): ``edge`` a radial crack from
    the particle's free surface inward at polar angle ``angle`` [sphere, hollow_sphere];
    ``centre`` a crack of total ``length`` through the particle's centre, inclined by
    ``angle`` [sphere, core_shell, particle_in_matrix]; ``coating`` a radial crack from the
    coating's outer surface inward [core_shell]; ``electrolyte`` a radial crack in the matrix
    from the particle surface outward [particle_in_matrix]; ``channel`` a through-thickness
    crack in the film at x = 0 [film]; ``tagged`` the curve ``curve`` of a 2D mesh file
    [mesh_file]. In axisymmetry every crack lies in the equatorial plane (``angle: 0``): a
    ring crack, or a penny crack for ``centre``. In 3D (:mod:`femsi.cracks.kinds`): ``centre``
    a penny crack of diameter ``length`` in the plane z = 0, ``edge`` a semicircular surface
    crack of radius (depth) ``length`` in that plane, and ``tagged`` the surface group
    ``surface`` of a 3D mesh file; G is evaluated at ``stations`` points of each front.
    """

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")]
    kind: Literal["edge", "centre", "coating", "channel", "electrolyte", "tagged"]
    length: PositiveLength | None = None
    angle: Angle = 0.0
    tip_size: PositiveLength | None = None
    rings: Annotated[int, Field(ge=1, le=10)] = 3
    ring_radius: PositiveLength | None = None
    curve: str | int | None = None
    surface: str | int | None = None
    stations: Annotated[int, Field(ge=2, le=100)] | None = None


# --------------------------------------------------------------------------- study


class Thermal(Section):
    """Thermal strain α (T - T_ref) of every region (``thermal_expansion`` of its material).

    The cell temperature is uniform: ``physics.temperature`` at the start, then the
    ``temperature`` of each protocol step (set at the start of a lithiate, delithiate or hold
    step; reached linearly over a rest). ``reference_temperature`` is the stress-free
    (assembly) temperature.
    """

    reference_temperature: PositiveTemperature = 298.15


class Study(Section):
    """A complete femsi study."""

    # A name, never a path: it names the default run folder results/<study>.
    study: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")]
    description: str = ""
    geometry: Geometry
    materials: dict[str, str | dict]
    physics: Physics = Physics()
    cell: Cell | None = None
    phase_field: PhaseFieldFracture | None = None
    thermal: Thermal | None = None
    protocol: Annotated[list[ProtocolStep], Field(min_length=1)]
    time: Time
    outputs: Outputs = Outputs()
    solver: Solver = Solver()
    cracks: list[Crack] = Field(default_factory=list)
