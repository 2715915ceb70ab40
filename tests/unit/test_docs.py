"""The documentation site builds, and every femsi command it and the README show works.

``mkdocs build --strict`` fails on a broken link, a missing page or a failing tutorial (the
first-day tutorial is executed by the build); the configuration reference is generated from
the schema, so it lists every key. Every ``femsi`` command in a fenced ``bash``/``console``
block of ``README.md`` and ``docs/`` is parsed by femsi's own argument parser; the cheap ones
run, and each ``femsi run`` is checked by ``femsi validate`` on the same study and overrides.
"""

from __future__ import annotations

import inspect
import re
import shlex
import sys

import pytest
from pydantic import BaseModel

import femsi.config.schema as schema
from femsi.cli import _parser
from tests.conftest import ROOT, run_cli

FENCE = re.compile(r"^```(?:bash|console)[^\n]*\n(.*?)^```", re.M | re.S)
FEMSI = ("femsi", ".venv/bin/femsi")


def shown_commands() -> list[tuple[str, list[str]]]:
    """(file, femsi arguments) of every femsi command shown in the README and the docs."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    commands = []
    for path in files:
        for body in FENCE.findall(path.read_text()):
            for line in body.replace("\\\n", " ").splitlines():
                line = re.sub(r"\[--[^\]]*\]", "", line.strip().removeprefix("$ "))  # synopsis
                words = shlex.split(line, comments=True)
                if words[:1] == [".venv/bin/mpirun"] and "-n" in words[:3]:
                    words = words[3:]
                if words[:1] and words[0] in FEMSI:
                    commands.append((str(path.relative_to(ROOT)), words[1:]))
    return commands


COMMANDS = shown_commands()


def test_the_docs_show_the_readme_commands():
    shown = {" ".join(args) for _, args in COMMANDS}
    assert "run configs/particle.yaml -o results/particle" in shown
    assert "validate configs/particle.yaml" in shown
    assert any(where.startswith("docs/tutorials/") for where, _ in COMMANDS)


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[" ".join(a) for _, a in COMMANDS])
def test_shown_command_parses(where, args):
    try:
        _parser().parse_args(args)
    except SystemExit as stop:  # --help and --version exit 0
        assert stop.code == 0, f"{where}: femsi {' '.join(args)}"


def _checked(args: list[str]) -> list[str] | None:
    """The command to run for a shown one: itself if cheap, ``validate`` for a run."""
    if args[:1] in (["--version"], ["--help"], ["materials"], ["validate"]):
        return args
    if args[:1] == ["run"]:
        checked, words = ["validate"], iter(args[1:])
        for word in words:
            if word in ("-o", "--output"):
                next(words)
            elif word not in ("--overwrite", "--no-progress"):
                checked.append(word)
        return checked
    return None


CHECKED = sorted({tuple(c) for _, args in COMMANDS if (c := _checked(args)) is not None})


@pytest.mark.parametrize("args", CHECKED, ids=[" ".join(a) for a in CHECKED])
def test_shown_command_works(args):
    result = run_cli(*args, timeout=300)
    assert result.returncode == 0, result.stderr


def _sections() -> list[type[BaseModel]]:
    return [
        model
        for _, model in inspect.getmembers(schema, inspect.isclass)
        if issubclass(model, BaseModel) and model is not schema.Section
    ]


def test_reference_lists_every_key_of_the_schema():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from gen_config_reference import render
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    page = render()
    for model in _sections():
        assert f"{{#{model.__name__.lower()}}}" in page, model.__name__
        for name in model.model_fields:
            assert f"| `{name}` |" in page, f"{model.__name__}.{name}"
    radius = "particle radius (the stress-free reference state); > 0"
    assert f"| `radius` | length (m) | **required** | {radius} |" in page


def test_site_builds_strict(built_site):
    site = built_site  # mkdocs build --strict succeeded (tests/unit/conftest.py)
    assert "max_soc_change" in (site / "configuration" / "index.html").read_text()
    tutorial = (site / "tutorials" / "first-day" / "index.html").read_text()
    assert "surface probe at x = 500 nm" in tutorial  # the probe followed the radius
    assert (site / "tutorials" / "results" / "first" / "figures" / "probes.png").stat().st_size
    assert (site / "solvers" / "index.html").is_file()
    # every shipped study's tutorial ran and its figures are on the site
    for figure in (
        "particle/figures/probes.png",
        "axisymmetric/figures/probes.png",
        "electrode/figures/cell_pressure_thickness.png",
        "film/figures/film_stress_capacity.png",
        "crack/figures/crack_G.png",
        "critical/critical_size.png",
        "film-crack/figures/crack.png",
    ):
        assert (site / "tutorials" / "results" / figure).stat().st_size, figure
    assert "sweep.sbatch" in (site / "tutorials" / "sweeps" / "index.html").read_text()
    # equations are typeset by the local MathJax copy, offline
    theory = (site / "theory" / "index.html").read_text()
    assert 'class="arithmatex"' in theory and "mathjax/tex-svg-full.js" in theory
    assert (site / "javascripts" / "mathjax" / "tex-svg-full.js").stat().st_size > 1e6
    for figure in ("galvanostatic_sphere", "sphere_in_shell", "rigid_cavity"):
        assert (site / "verification" / f"{figure}.png").stat().st_size, figure
    api = (site / "api" / "run" / "index.html").read_text()
    assert "load_config" in api and "femsi.study" in api


def test_every_schema_field_has_a_description():
    missing = [
        f"{model.__name__}.{name}"
        for model in _sections()
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert not missing, f"fields without Field(description=...): {', '.join(missing)}"
