"""Lint of the container recipes and the lock file (images cannot be built in CI).

Checks that the Dockerfile is multi-stage, pins its base image to an exact Python release,
installs the hash-checked lock file and then femsi without dependencies, runs as a non-root
user with ``femsi`` as entrypoint; that apptainer.def installs the same lock on the same base
and runs ``femsi``; and that the lock pins every dependency of pyproject.toml exactly.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT

PINNED_IMAGE = re.compile(r"^python:3\.12\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?$")


def instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions (continuation lines joined, comments dropped)."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


@pytest.fixture(scope="module")
def docker():
    return instructions((ROOT / "Dockerfile").read_text())


def lock_pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.M))
    return {name.lower().replace("_", "-"): version for name, version in pins.items()}


def test_dockerfile_is_multi_stage_and_pinned(docker):
    args = dict(rest.split("=", 1) for kind, rest in docker if kind == "ARG" and "=" in rest)
    stages = [rest for kind, rest in docker if kind == "FROM"]
    assert len(stages) >= 2, "a build stage and a runtime stage"
    for stage in stages:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], stage.split()[0])
        assert PINNED_IMAGE.match(image), f"FROM {image} is not an exact, pinned Python image"
    assert any(k == "COPY" and r.startswith("--from=build /opt/venv") for k, r in docker)


def test_dockerfile_installs_the_lock_then_femsi_without_deps(docker):
    runs = " ".join(rest for kind, rest in docker if kind == "RUN")
    copies = [rest for kind, rest in docker if kind == "COPY"]
    assert any("requirements.lock" in c for c in copies)
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in runs
    assert "--no-deps" in runs and "pip check" in runs
    # the lock is installed before femsi's sources are copied (a source change keeps the layer)
    order = [r for k, r in docker if k in ("COPY", "RUN")]
    lock_at = next(i for i, r in enumerate(order) if "--require-hashes" in r)
    assert lock_at < next(i for i, r in enumerate(order) if r.startswith("femsi "))
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "requirements.lock" not in ignored and "femsi" not in ignored


def test_dockerfile_runs_femsi_as_a_non_root_user(docker):
    users = [rest for kind, rest in docker if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any("useradd" in rest for kind, rest in docker if kind == "RUN")
    assert [rest for kind, rest in docker if kind == "ENTRYPOINT"][-1] == '["femsi"]'


def test_apptainer_definition():
    text = (ROOT / "apptainer.def").read_text()
    header = dict(re.findall(r"^(Bootstrap|From):\s*(\S+)", text, flags=re.M))
    assert header["Bootstrap"] == "docker"
    assert PINNED_IMAGE.match(header["From"])
    docker_base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    assert header["From"] == docker_base.group(1), "the same base image as the Dockerfile"
    sections = dict(re.findall(r"^%(\w+)\n(.*?)(?=^%|\Z)", text, flags=re.M | re.S))
    assert "requirements.lock" in sections["files"]
    assert "--require-hashes -r /opt/femsi/requirements.lock" in sections["post"]
    assert "--no-deps" in sections["post"]
    assert re.search(r'exec femsi "\$@"', sections["runscript"])
    assert "/opt/venv/bin" in sections["environment"]


def test_lock_pins_every_dependency_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = lock_pins()
    for line in wanted:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock: regenerate it (README)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"^(?=[A-Za-z0-9_.-]+==)", text, flags=re.M)[1:]
    assert all("--hash=sha256:" in entry for entry in entries), "every pin carries its hashes"
    assert "uv pip compile pyproject.toml --extra dev" in text  # how to regenerate it
