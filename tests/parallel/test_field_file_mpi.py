"""``fields/fields.bp`` of ``mpirun -n 2`` holds the serial fields at the same points.

Each rank writes its own part (no gather), so the parallel file lists the nodes on a partition
boundary once per rank; every copy must hold the same values, and after dropping the copies the
nodes and every array at every step match the serial file (to the solver tolerance).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import MPIRUN, run_cli, study, write_study
from tests.parallel.test_mpi import TIGHT
from tests.support.vtx import read_vtx

pytestmark = [
    pytest.mark.mpi,
    pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter"),
]


def _unique(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct points (rounded) in lexicographic order, and an index of one copy each."""
    key = np.round(points / np.abs(points).max(), 9)
    unique, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return first, inverse.ravel()


@pytest.mark.parametrize("field_space", ["P1", "displacement"])
def test_two_ranks_write_the_serial_fields(tmp_path, field_space):
    tree = study(
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 4, "duration": "20 s"}}],
        outputs={"every": 1, "figures": False, "field_space": field_space},
        solver=TIGHT,
    )
    path = write_study(tmp_path, tree)
    files = {}
    for ranks in (1, 2):
        out = tmp_path / f"n{ranks}"
        result = run_cli("run", path, "-o", out, "--no-progress", ranks=ranks)
        assert result.returncode == 0, result.stderr
        files[ranks] = read_vtx(out / "fields" / "fields.bp")
    serial, parallel = files[1], files[2]
    assert parallel.times == serial.times
    assert parallel.step_counts["geometry"] == 1 and parallel.blocks == 2  # once, by each rank
    assert parallel.geometry.shape[0] > serial.geometry.shape[0]  # boundary nodes twice
    first_s, _ = _unique(serial.geometry)
    first_p, inverse_p = _unique(parallel.geometry)
    assert first_s.size == serial.geometry.shape[0] == first_p.size
    np.testing.assert_allclose(
        parallel.geometry[first_p], serial.geometry[first_s], rtol=0, atol=1e-15
    )
    assert set(parallel.arrays) == set(serial.arrays)
    for name, values in parallel.arrays.items():
        scale = np.abs(serial.arrays[name]).max()
        # the copies of a boundary node agree (up to rounding of the summation order)
        np.testing.assert_allclose(
            values, values[:, first_p][:, inverse_p], rtol=0, atol=1e-12 * scale, err_msg=name
        )
        np.testing.assert_allclose(
            values[:, first_p],
            serial.arrays[name][:, first_s],
            rtol=0,
            atol=1e-6 * scale,
            err_msg=name,
        )
