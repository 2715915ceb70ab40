"""Random sphere packing: no overlaps, inside the box, the fraction reached, reproducible.

References: the volume of the spheres is exact (4/3 pi r^3); a lognormal radius with mean m and
standard deviation s has log-mean ln m - sigma^2/2 with sigma^2 = ln(1 + s^2/m^2).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from femsi.errors import InputError
from femsi.geometry.packing import (
    RadiusDistribution,
    overlaps,
    random_packing,
    sample_radii,
    sphere_volume,
)

ONE = RadiusDistribution("constant", 1.0)


def _pack(fraction, size=12.0, gap=0.05, seed=0, distribution=ONE, **kw):
    return random_packing(
        (0, 0, 0), (size, size, size), [(distribution, fraction, None)], min_gap=gap,
        wall_gap=gap, seed=seed, **kw,
    )  # fmt: skip


def _inside(packing, lower, upper, wall):
    c, r = packing.centres, packing.radii[:, None]
    return bool(np.all(c - r >= np.asarray(lower) + wall * (1 - 1e-9))) and bool(
        np.all(c + r <= np.asarray(upper) - wall * (1 - 1e-9))
    )


@pytest.mark.parametrize("fraction", [0.3, 0.45])
def test_monodisperse_no_overlap_inside_fraction_reached(fraction):
    packing = _pack(fraction)
    assert overlaps(packing, 0.05 * (1 - 1e-9)) == 0
    assert _inside(packing, (0, 0, 0), (12, 12, 12), 0.05)
    box = 12.0**3
    assert packing.volume_fraction == pytest.approx(packing.radii.size * 4 / 3 * np.pi / box)
    # The closest number of spheres: within half a sphere of the target.
    assert abs(packing.volume_fraction - fraction) <= 0.5 * 4 / 3 * np.pi / box


def test_half_filled_box_is_reachable():
    """50 % (54 % counting the gaps) in a box 10 diameters wide: beyond random addition."""
    packing = _pack(0.5, size=20.0)
    assert packing.volume_fraction == pytest.approx(0.5, abs=0.002)
    assert overlaps(packing, 0.05 * (1 - 1e-9)) == 0


def test_same_seed_same_packing_other_seed_other_packing():
    a, b, c = _pack(0.4, seed=3), _pack(0.4, seed=3), _pack(0.4, seed=4)
    assert np.array_equal(a.centres, b.centres)
    assert not np.allclose(a.centres, c.centres)


def test_lognormal_statistics():
    rng = np.random.default_rng(0)
    distribution = RadiusDistribution("lognormal", 1.0, 0.25)
    radii = sample_radii(distribution, rng, count=20000)
    assert radii.mean() == pytest.approx(1.0, rel=0.01)
    assert radii.std() == pytest.approx(0.25, rel=0.05)
    assert radii.min() >= 0.25
    packing = _pack(0.4, size=14.0, distribution=distribution, seed=2)
    assert overlaps(packing, 0.05 * (1 - 1e-9)) == 0
    assert _inside(packing, (0, 0, 0), (14, 14, 14), 0.05)
    assert packing.volume_fraction == pytest.approx(0.4, abs=0.01)
    assert packing.radii.std() > 0.1


def test_lognormal_is_truncated_to_what_fits():
    rng = np.random.default_rng(0)
    radii = sample_radii(RadiusDistribution("lognormal", 1.0, 1.0), rng, count=2000, largest=1.5)
    assert radii.max() <= 1.5


def test_radius_list_cycles_and_two_phases():
    silicon = RadiusDistribution("list", 1.0, values=(1.2, 0.8))
    carbon = RadiusDistribution("constant", 0.5)
    packing = random_packing(
        (0, 0, 0), (10, 10, 10), [(silicon, 0.3, None), (carbon, 0.05, None)], min_gap=0.05,
        wall_gap=0.1, seed=1,
    )  # fmt: skip
    si = packing.radii[packing.phase == 0]
    assert set(np.round(si, 12)) == {1.2, 0.8}
    assert abs(np.sum(si == 1.2) - np.sum(si == 0.8)) <= 1
    assert packing.volume_fractions[0] == pytest.approx(sphere_volume(si).sum() / 1000)
    assert packing.volume_fractions[1] == pytest.approx(0.05, abs=0.002)
    assert overlaps(packing, 0.05 * (1 - 1e-9)) == 0
    assert _inside(packing, (0, 0, 0), (10, 10, 10), 0.1)


def test_count_instead_of_fraction():
    packing = random_packing(
        (0, 0, 0), (6, 6, 6), [(ONE, None, 7)], min_gap=0.1, wall_gap=0.1, seed=0
    )
    assert packing.radii.size == 7


def test_particle_larger_than_the_box_is_an_error():
    with pytest.raises(InputError) as err:
        _pack(0.3, size=2.05)
    assert err.value.field == "geometry.radius"


def test_unreachable_fraction_names_the_field_and_the_fraction():
    with pytest.raises(InputError) as err:
        _pack(0.6, size=8.0, max_iterations=300)
    assert err.value.field == "geometry.volume_fraction"
    message = err.value.message
    assert "volume fraction of 0.597" in message
    best = float(re.search(r"best arrangement found holds ([0-9.]*[0-9])", message).group(1))
    assert 0 < best < 0.597
