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
from femsi.config.schema.stack import StackLayer

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

    mechanics: Literal["small_strain", "finite_strain", "none"] = Field(
        default="finite_strain",
        description=(
            "`finite_strain`: neo-Hookean with F = F_e F_s; `small_strain`: linear elasticity with"
            " eigenstrain Ω (c − c_ref)/3 I; `none`: diffusion only"
        ),
    )
    diffusion: bool = Field(
        default=True, description="solve lithium transport; false keeps the initial concentration"
    )
    swelling: bool = Field(
        default=True, description="the concentration drives the swelling eigenstrain"
    )
    displacement_degree: Literal[1, 2] = Field(
        default=2, description="Lagrange degree of the displacement"
    )
    concentration_degree: Literal[1, 2] = Field(
        default=1, description="Lagrange degree of the concentration"
    )
    quadrature_degree: Annotated[int, Field(ge=1, le=8)] | None = Field(
        default=None,
        description="quadrature degree of every integral; null: derived from the element degrees",
    )
    # Plasticity: J2 flow in the listed regions, every switch explicit.
    constitutive: Literal["elastic", "elastoplastic", "viscoplastic"] = Field(
        default="elastic",
        description=(
            "`elastic`; `elastoplastic`: rate-independent J2 plasticity in plastic_regions; "
            "`viscoplastic`: power-law flow there"
        ),
    )
    plastic_regions: list[str] = Field(
        default_factory=list,
        description="the regions that flow (each needs yield_stress); other regions stay elastic",
    )
    # Two-way stress-diffusion coupling, solved monolithically by default.
    stress_diffusion_coupling: bool = Field(
        default=False,
        description="two-way coupling: the flux follows the gradient of μ, which includes −Ω σ_h",
    )
    coupling_scheme: Literal["monolithic", "staggered"] = Field(
        default="monolithic",
        description=(
            "`monolithic`: one Newton on c, u and σ_h together; `staggered`: diffusion with the "
            "last step's stress, then mechanics"
        ),
    )
    chemical_potential: Literal["dilute", "ideal_solution"] = Field(
        default="dilute",
        description=(
            "`dilute`: μ = μ0 + RT ln x − Ω σ_h; `ideal_solution`: μ = μ0 + RT ln(x/(1−x)) − Ω σ_h"
        ),
    )
    temperature: PositiveTemperature = Field(
        default=298.15,
        description=(
            "temperature T of the chemical potential and the kinetics (and the start temperature "
            "with thermal)"
        ),
    )
    # Surface reaction: an imposed flux, or Butler-Volmer kinetics with the
    # electrode potential as a global unknown (galvanostatic) or imposed (hold: potential).
    surface_kinetics: Literal["flux", "butler_volmer"] = Field(
        default="flux",
        description=(
            "`flux`: the protocol imposes the flux or the surface concentration; `butler_volmer`: "
            "Butler-Volmer kinetics with the electrode potential as a global unknown"
        ),
    )
    # Lumped storage term of diffusion (P1 concentration): no undershoot at sharp fronts.
    mass_lumping: bool = Field(
        default=False,
        description=(
            "lumped (vertex-rule) storage term of the diffusion (P1): no undershoot ahead of sharp"
            " fronts"
        ),
    )


# --------------------------------------------------------------------------- protocol


class _Galvanostatic(Section):
    c_rate: Annotated[float, Field(gt=0)] | None = Field(
        default=None,
        description=(
            "current as a C-rate (1: the full capacity in one hour); give this or current_density"
        ),
    )
    temperature: PositiveTemperature | None = Field(
        default=None, description="cell temperature during the step (thermal strain), K"
    )
    current_density: PositiveCurrentDensity | None = Field(
        default=None, description="current per active surface area; give this or c_rate"
    )
    until_soc: Fraction | None = Field(
        default=None, description="the step ends when the SOC reaches this"
    )
    duration: PositiveTime | None = Field(default=None, description="the step ends after this time")

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

    duration: PositiveTime = Field(description="length of the rest")
    temperature: PositiveTemperature | None = Field(
        default=None, description="cell temperature at the end of the rest, ramped from the last, K"
    )


class Hold(Section):
    """Potentiostatic: a fixed surface concentration or a fixed electrode potential.

    ``surface_soc`` with a pure flux surface, ``potential`` (vs Li/Li+) with Butler-Volmer
    kinetics; the hold ends at a duration or an SOC.
    """

    surface_soc: Fraction | None = Field(
        default=None,
        description=(
            "surface concentration held, as a fraction of c_max (with surface_kinetics: flux)"
        ),
    )
    potential: Voltage | None = Field(
        default=None,
        description="electrode potential held, vs Li/Li+ (with surface_kinetics: butler_volmer)",
    )
    duration: PositiveTime | None = Field(default=None, description="the step ends after this time")
    until_soc: Fraction | None = Field(
        default=None, description="the step ends when the SOC reaches this"
    )
    temperature: PositiveTemperature | None = Field(
        default=None, description="cell temperature during the step (thermal strain), K"
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

    pressure: CompressivePressure = Field(description="plate pressure reached by the preload")
    increments: Annotated[int, Field(ge=1, le=100)] = Field(
        default=4, description="number of load steps to reach the pressure"
    )


STEP_KINDS = ("lithiate", "delithiate", "rest", "hold", "preload")


class ProtocolStep(Section):
    """One protocol entry: one of ``lithiate``, ``delithiate``, ``rest``, ``hold``, ``preload``."""

    lithiate: Lithiate | None = Field(default=None, description="galvanostatic lithiation")
    delithiate: Delithiate | None = Field(default=None, description="galvanostatic delithiation")
    rest: Rest | None = Field(default=None, description="open circuit, no current")
    hold: Hold | None = Field(default=None, description="potentiostatic hold")
    preload: Preload | None = Field(
        default=None, description="press the plate (no current, no time)"
    )

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

    ``stack`` puts the rest of the cell (separator pellet, cathode, counter electrode, current
    collectors) between the plate and the frame as reduced layers in series
    (:mod:`femsi.physics.stack`); ``load_cell_stiffness`` makes a ``fixed_gap`` frame with its
    load cell compliant instead of rigid.
    """

    plate: Literal["none", "stack_pressure", "fixed_gap", "fixture_stiffness"] = Field(
        default="none",
        description=(
            "top plate: `none`, `stack_pressure` (constant force), `fixed_gap` (held; the load "
            "cell reads the pressure) or `fixture_stiffness` (a spring)"
        ),
    )
    lateral: Literal["confined", "free"] = Field(
        default="confined",
        description="side faces: `confined` (die walls, no normal displacement) or `free`",
    )
    fixture_stiffness: StiffnessPerArea | None = Field(
        default=None,
        description=(
            "spring stiffness per cell area between plate and frame (plate: fixture_stiffness only)"
        ),
    )

    stack: list[StackLayer] = Field(
        default_factory=list,
        description=(
            "the rest of the cell above the plate, as reduced layers in series (bottom to top)"
        ),
    )
    load_cell_stiffness: StiffnessPerArea | None = Field(
        default=None,
        description=(
            "stiffness per cell area of the frame with its load cell (plate: fixed_gap only); "
            "null: rigid"
        ),
    )

    @model_validator(mode="after")
    def _stiffness_for_spring(self):
        if (self.plate == "fixture_stiffness") != (self.fixture_stiffness is not None):
            raise ValueError("fixture_stiffness is given exactly when plate is fixture_stiffness")
        if self.load_cell_stiffness is not None and self.plate != "fixed_gap":
            raise ValueError("load_cell_stiffness is for plate: fixed_gap")
        if self.stack and self.plate == "none":
            raise ValueError("a stack sits on the plate: give cell.plate")
        names = [layer.name for layer in self.stack]
        if len(set(names)) != len(names):
            raise ValueError("stack layer names are unique")
        return self


# --------------------------------------------------------------------------- phase field


class Staggered(Section):
    """Alternate minimisation per step: displacement, then damage, until the damage settles.

    Converged when the largest nodal damage change of an iteration is at most ``tolerance``;
    a step that needs more than ``max_iterations`` fails and is cut like any failed solve.
    """

    tolerance: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=1e-3,
        description=(
            "converged when the largest nodal damage change of an iteration is at most this"
        ),
    )
    max_iterations: Annotated[int, Field(ge=1)] = Field(
        default=300, description="iterations before the step counts as failed and is cut"
    )


class InitialCrack(Section):
    """A straight flaw from ``start`` to ``end``: damage 1 there from the start."""

    start: Point = Field(description="one end of the flaw (reference coordinates)")
    end: Point = Field(description="the other end of the flaw")


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

    model: Literal["AT1", "AT2"] = Field(
        default="AT2",
        description=(
            "`AT2`: w(d) = d², damage from the first load; `AT1`: w(d) = d, elastic until a "
            "strength"
        ),
    )
    split: Literal["none", "volumetric_deviatoric", "spectral"] = Field(
        default="spectral",
        description=(
            "the part of the elastic energy that cracks: `none`, `volumetric_deviatoric` (Amor et "
            "al. 2009) or `spectral` (Miehe et al. 2010)"
        ),
    )
    irreversibility: Literal["history", "bounds"] = Field(
        description=(
            "`history`: driving force max over time of ψ⁺; `bounds`: d_n ≤ d ≤ 1 by a "
            "bound-constrained solve; null: history for AT2, bounds for AT1"
        )
    )
    length_scale: PositiveLength | dict[str, PositiveLength] = Field(
        description=(
            "l, the width of the smeared crack (sets the strength); one length or one per cracking"
            " region; at least twice the largest cell"
        )
    )
    regions: Annotated[list[str], Field(min_length=1)] = Field(
        description="regions where damage may grow; elsewhere it is held at 0"
    )
    residual_stiffness: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=1e-6, description="k in the degradation g(d) = (1 − d)² + k"
    )
    initial_cracks: list[InitialCrack] = Field(
        default_factory=list, description="segments with damage 1 from the start"
    )
    onset_damage: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.9, description="the damage that marks the crack onset in summary.json"
    )
    staggered: Staggered = Field(
        default=Staggered(), description="the alternate minimisation of each step"
    )

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

    initial_step: PositiveTime = Field(description="first time step")
    max_step: PositiveTime = Field(description="largest time step")
    min_step: PositiveTime | None = Field(
        default=None,
        description="smallest step before a failing run stops; null: initial_step/1024",
    )
    growth: Annotated[float, Field(ge=1.0, le=4.0)] = Field(
        default=1.5, description="step factor after an easy step"
    )
    cut: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(
        default=0.5, description="step factor after a failed solve (state restored, step retried)"
    )
    max_soc_change: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.02, description="largest SOC change per step"
    )
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

    fraction: tuple[float, float, float] | tuple[float, float] = Field(
        description="coordinates in units of the geometry (radius, width, thickness, ...)"
    )


class Outputs(Section):
    """What is written besides ``timeseries.csv``, ``summary.json`` and ``manifest.json``.

    A probe is a point, a named point of the geometry (``surface``, ``centre``, ...) or
    ``{fraction: [...]}`` in units of the geometry; names and fractions are resolved to points
    when the study is loaded.
    """

    every: Annotated[int, Field(ge=0)] = Field(
        default=5,
        description=(
            "write fields every N steps (and always at step 0 and at the end of each protocol "
            "step); 0: only those"
        ),
    )
    fields: bool = Field(default=True, description="write fields/ (VTX/ADIOS2 files for ParaView)")
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
    probes: dict[str, Point | RelativePoint | str] = Field(
        default_factory=dict,
        description="name → point, named point of the geometry, or {fraction: [...]}; at most 1000",
    )
    figures: bool = Field(default=True, description="draw figures/ at the end of the run")


# --------------------------------------------------------------------------- solver


class SubSolver(Section):
    """Settings of one sub-solver (Newton + linear solver)."""

    linear_solver: Literal["iterative", "direct"] = Field(
        default="iterative", description="`iterative` (CG with AMG) or `direct` (MUMPS)"
    )
    rtol: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=1e-8, description="Newton: relative tolerance on the scaled residual"
    )
    atol: Annotated[float, Field(ge=0)] = Field(
        default=1e-10, description="Newton: absolute tolerance on the scaled residual"
    )
    max_iterations: Annotated[int, Field(ge=1)] = Field(
        default=25, description="Newton iterations before the step counts as failed and is cut"
    )
    ksp_rtol: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=1e-10, description="Krylov relative tolerance on the unpreconditioned residual norm"
    )
    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="raw PETSc options, applied last"
    )
    # Mechanics only (see docs/solvers.md): ``auto`` factors a fixed operator once with MUMPS
    # when the estimated factor fits in memory, else the iterative (AMG) path.
    strategy: Literal["auto", "direct", "iterative"] = Field(
        default="auto",
        description=(
            "mechanics only: `auto` factors a fixed operator once with MUMPS when the factor fits "
            "in memory, else iterative; `direct`; `iterative`"
        ),
    )
    # Memory (MB, all ranks) the MUMPS factor may take; None: half of the available memory.
    direct_memory_limit_mb: Annotated[float, Field(gt=0)] | None = Field(
        default=None,
        description=(
            "memory in MB (all ranks) the MUMPS factor may take; null: half of the available memory"
        ),
    )


class Solver(Section):
    """PETSc settings per sub-solver; ``petsc_options`` are passed verbatim last."""

    diffusion: SubSolver = Field(
        default=SubSolver(linear_solver="direct", atol=1e-12), description="the concentration solve"
    )
    mechanics: SubSolver = Field(
        default=SubSolver(), description="the displacement solve (and the coupled one)"
    )
    # The damage of phase-field fracture; a bound-constrained solve needs about one
    # iteration per cell layer the damage front crosses, hence the many iterations.
    damage: SubSolver = Field(
        default=SubSolver(linear_solver="direct", max_iterations=200),
        description="the damage solve of phase-field fracture",
    )


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

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")] = Field(
        description="names the columns crack.NAME.* and the crack faces crack_NAME"
    )
    kind: Literal["edge", "centre", "coating", "channel", "electrolyte", "tagged"] = Field(
        description=(
            "`edge`, `centre`, `coating`, `channel`, `electrolyte` or `tagged` (see the section "
            "text)"
        )
    )
    length: PositiveLength | None = Field(
        default=None,
        description=(
            "crack length: surface to tip (edge, coating, electrolyte), tip to tip (centre); 3D "
            "edge: the depth of the semicircle"
        ),
    )
    angle: Angle = Field(
        default=0.0,
        description=(
            "polar angle of the crack's line in the section (`30 deg`; a bare number is radians)"
        ),
    )
    tip_size: PositiveLength | None = Field(
        default=None,
        description="element size at the tips (3D: at the front); for tagged cracks the mesh's own",
    )
    rings: Annotated[int, Field(ge=1, le=10)] = Field(
        default=3, description="number of domain-integral rings"
    )
    ring_radius: PositiveLength | None = Field(
        default=None, description="outer radius of the largest ring; null: half the clearance"
    )
    curve: str | int | None = Field(
        default=None,
        description="tagged (2D): the crack's curve group in the mesh (name or number)",
    )
    surface: str | int | None = Field(
        default=None,
        description="tagged (3D): the crack's surface group in the mesh (name or number)",
    )
    stations: Annotated[int, Field(ge=2, le=100)] | None = Field(
        default=None, description="3D: points per crack front where G is evaluated; null: 9"
    )


# --------------------------------------------------------------------------- study


class Thermal(Section):
    """Thermal strain α (T - T_ref) of every region (``thermal_expansion`` of its material).

    The cell temperature is uniform: ``physics.temperature`` at the start, then the
    ``temperature`` of each protocol step (set at the start of a lithiate, delithiate or hold
    step; reached linearly over a rest). ``reference_temperature`` is the stress-free
    (assembly) temperature.
    """

    reference_temperature: PositiveTemperature = Field(
        default=298.15, description="stress-free (assembly) temperature"
    )


class Study(Section):
    """A complete femsi study."""

    # A name, never a path: it names the default run folder results/<study>.
    study: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")] = Field(
        description="name of the study; names the default run folder results/<study>"
    )
    description: str = Field(default="", description="one line saying what the study is")
    geometry: Geometry = Field(
        description="the body, its regions and mesh (one of the geometry families, by type)"
    )
    materials: dict[str, str | dict] = Field(
        description=(
            "region → library material name, or {base: NAME, key: value, ...} overriding its "
            "parameters"
        )
    )
    physics: Physics = Field(
        default=Physics(), description="the model: mechanics, couplings, elements"
    )
    cell: Cell | None = Field(
        default=None,
        description="the fixture around a film or electrode (plate, die walls); null: none",
    )
    phase_field: PhaseFieldFracture | None = Field(
        default=None, description="phase-field fracture; null: none"
    )
    thermal: Thermal | None = Field(default=None, description="thermal strain; null: none")
    protocol: Annotated[list[ProtocolStep], Field(min_length=1)] = Field(
        description="the steps, in order"
    )
    time: Time = Field(description="adaptive time stepping")
    outputs: Outputs = Field(default=Outputs(), description="fields, probes, figures")
    solver: Solver = Field(default=Solver(), description="PETSc settings per sub-solver")
    cracks: list[Crack] = Field(
        default_factory=list,
        description="pre-existing cracks whose energy release rate is evaluated",
    )
