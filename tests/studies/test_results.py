"""Results: catalogue, HTML report (parsed, and in Chromium), re-plotting, and rerunning.

Rerunning a run folder from its resolved config reproduces its summary."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from html.parser import HTMLParser

import pyarrow.parquet as pq
import pytest
import yaml
from PIL import Image

import femsi
from femsi.sweeps.report_data import read_report_data
from femsi.sweeps.rerun import compare_summaries, load_run_config
from tests.conftest import ROOT, run_cli, study, write_study

sys.path.insert(0, str(ROOT / "scripts"))
import check_report  # noqa: E402


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """A 2 × 2 grid (radius × C-rate) with figures, run by 2 local workers."""
    folder = tmp_path_factory.mktemp("results")
    write_study(folder, study(outputs={"every": 1, "figures": True}), "base.yaml")
    (folder / "sweep.yaml").write_text(
        yaml.safe_dump(
            {
                "base": "base.yaml",
                "name": "size-rate",
                "sweep": {
                    "grid": {
                        "geometry.radius": ["1 um", "1.25 um"],
                        "protocol.0.lithiate.c_rate": [1, 2],
                    }
                },
            }
        )
    )
    done = run_cli(
        "sweep", folder / "sweep.yaml", "-o", folder / "out", "--workers", "2", "--no-progress"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "out"


def first_run(sweep_dir):
    return next(
        p for p in sorted((sweep_dir / "runs").iterdir()) if p.name.startswith("radius=1um")
    )


def test_collect_writes_parquet_and_csv(sweep_dir):
    result = run_cli("collect", sweep_dir)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(sweep_dir / "catalogue.parquet").to_pylist()
    with (sweep_dir / "catalogue.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(table) == len(rows) == 4
    pairs = sorted(
        (round(r["geometry.radius"], 12), r["protocol.0.lithiate.c_rate"]) for r in table
    )
    assert pairs == [
        (1e-6, 1.0),
        (1e-6, 2.0),
        (1.25e-6, 1.0),
        (1.25e-6, 2.0),
    ]  # SI values from the resolved configs
    for row in table:
        summary = json.loads((sweep_dir / "runs" / row["run"] / "summary.json").read_text())
        peak = summary["peaks"]["particle.max_von_mises_Pa"]["value"]
        assert row["peaks.particle.max_von_mises_Pa.value"] == pytest.approx(peak, rel=1e-15)
        assert row["final.soc"] == summary["final"]["soc"]
        assert row["state"] == "complete" and row["status"] == "completed"
        assert row["wall_time_s"] > 0 and row["steps"] == 2
    # A faster C-rate lithiates more in the same 20 s.
    soc = {r["protocol.0.lithiate.c_rate"]: r["final.soc"] for r in table[:2]}
    assert soc[2.0] == pytest.approx(2 * soc[1.0], rel=1e-6)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links, self.scripts, self.rows = [], [], 0, 0
        self._in_tbody = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag in ("link", "a") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "script":
            self.scripts += 1
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_tbody = False


def test_report_is_self_contained(sweep_dir):
    # --static: no script at all (the interactive page: tests/studies/test_report.py)
    result = run_cli("report", sweep_dir, "--static")
    assert result.returncode == 0, result.stderr
    text = (sweep_dir / "report.html").read_text()
    page = _Page()
    page.feed(text)
    assert page.rows == 4  # one table row per run
    assert page.scripts == 0 and all(link.startswith("#") for link in page.links)
    assert page.images and all(
        src.startswith(("data:image/png;base64,", "data:image/webp;base64,")) for src in page.images
    )
    assert "http://" not in text and "https://" not in text
    outputs = [output.column for output in read_report_data(sweep_dir).outputs]
    assert "peaks.particle.max_von_mises_Pa.value" in outputs
    # A figure per output, and the time series of the first two overlaid.
    assert text.count('<img class="figure"') == len(outputs) + 2
    assert "step0_lithiate_von_mises.png" in text  # PyVista pictures of selected runs
    assert "geometry.radius" in text and "c_rate" in text  # the sweep definition


@pytest.mark.skipif(check_report.find_browser() is None, reason="no headless Chromium here")
def test_report_in_headless_chromium(sweep_dir, tmp_path):
    if not (sweep_dir / "report.html").exists():
        run_cli("report", sweep_dir)
    png = tmp_path / "report.png"
    done = subprocess.run(
        [
            sys.executable,
            ROOT / "scripts" / "check_report.py",
            sweep_dir / "report.html",
            "-o",
            png,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with Image.open(png) as image:
        assert image.size == (1280, 2400)


def test_plot_rerenders_without_solving(sweep_dir, tmp_path):
    run = first_run(sweep_dir)
    index = json.loads((run / "fields" / "snapshots" / "index.json").read_text())
    assert [e["time_s"] for e in index] == [0.0, 10.0, 20.0]  # each step, once
    picture = tmp_path / "vm.png"
    done = run_cli(
        "plot", run, "--time", "9", "--field", "hydrostatic", "--clip", "z", "-o", picture
    )
    assert done.returncode == 0, done.stderr
    assert f"femsi: wrote {picture}" in done.stdout
    with Image.open(picture) as image:  # a body cut through z, framed to its aspect
        assert image.format == "PNG" and 800 <= image.size[0] <= 1000
    done = run_cli("plot", run, "--gif", "--field", "concentration")
    assert done.returncode == 0, done.stderr
    with Image.open(run / "figures" / "replot" / "concentration.gif") as gif:
        assert gif.n_frames == len(index)
    bad = run_cli("plot", run, "--field", "temperature")
    assert bad.returncode == 2 and "--field: unknown field" in bad.stderr


def test_rerun_reproduces_the_summary(sweep_dir, tmp_path):
    run = first_run(sweep_dir)
    done = run_cli("rerun", run, "-o", tmp_path / "again")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced" in done.stdout and "resolved config identical: yes" in done.stdout
    old = json.loads((run / "summary.json").read_text())
    new = json.loads((tmp_path / "again" / "summary.json").read_text())
    worst, key, n, missing = compare_summaries(old, new)
    assert n > 50 and not missing and worst < 1e-6, (worst, key)


def test_a_resolved_config_with_material_overrides_loads_back(tmp_path):
    config = femsi.load_config(
        study(materials={"particle": {"base": "amorphous_silicon", "youngs_modulus": "80 GPa"}})
    )
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config.resolved()))
    again = load_run_config(tmp_path)
    assert again.hash() == config.hash()
    assert again.materials["particle"].youngs_modulus.value[0] == 80e9


def test_rerun_needs_a_run_folder(tmp_path):
    done = run_cli("rerun", tmp_path)
    assert done.returncode == 2 and "has no summary.json" in done.stderr


def test_manifest_provenance_records_container_and_seeds(monkeypatch):
    from femsi.outputs.manifest import container, seeds

    monkeypatch.delenv("APPTAINER_CONTAINER", raising=False)
    monkeypatch.delenv("SINGULARITY_CONTAINER", raising=False)
    monkeypatch.setenv("FEMSI_IMAGE_DIGEST", "sha256:" + "ab" * 32)
    monkeypatch.setenv("FEMSI_IMAGE", "femsi.sif")
    found = container()
    assert found["image_digest"] == "sha256:" + "ab" * 32 and found["image"] == "femsi.sif"
    monkeypatch.setenv("APPTAINER_CONTAINER", "/images/femsi.sif")
    assert container()["runtime"] == "apptainer"
    assert container()["image_digest_from"] == "FEMSI_IMAGE_DIGEST"
    tree = {"geometry": {"electrode": {"seed": 7}}, "layers": [{"packing_seed": 3}], "seed_x": 1}
    assert seeds(tree) == {"geometry.electrode.seed": 7, "layers.0.packing_seed": 3}


def test_inside_apptainer_the_digest_is_that_of_the_image_file(monkeypatch, tmp_path):
    from femsi.outputs.manifest import container

    image = tmp_path / "femsi.sif"
    image.write_bytes(b"an image")
    monkeypatch.delenv("FEMSI_IMAGE_DIGEST", raising=False)
    monkeypatch.setenv("APPTAINER_CONTAINER", str(image))
    found = container()
    # sha256(b"an image"), as `sha256sum femsi.sif` prints it
    expected = "sha256:" + __import__("hashlib").sha256(b"an image").hexdigest()
    assert found["image_digest"] == expected and found["image_digest_from"] == "the image file"
    monkeypatch.setenv("APPTAINER_CONTAINER", str(tmp_path / "not-visible-inside.sif"))
    assert container()["image_digest"] is None and container()["image_digest_from"] is None
