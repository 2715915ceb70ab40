"""Energy release rate and stress intensity factors of 2D plane-strain cracks.

References: Tada, Paris & Irwin, The Stress Analysis of Cracks Handbook (2000) for K_I of the
centre-cracked plate (factor 1.18623 at a/b = 0.5) and the single-edge-cracked strip (2.82658 at
a/b = 0.5); the infinite-plate inclined crack K_I = S√(πa) cos²β, K_II = S√(πa) sinβ cosβ;
plane strain G = (1 − ν²)(K_I² + K_II²)/E; Nakamura & Parks (1989) for the eigenstrain-gradient
term that keeps G path independent under swelling gradients; G = −dΠ/dA (Griffith).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from femsi.cracks.cracked_plate import cracked_plate
from femsi.errors import InputError
from tests.conftest import MPIRUN, ROOT
from tests.support.fracture_fe import NU, RINGS, E, S, reference_K, solve_plate


@pytest.mark.parametrize(("kind", "factor"), [("centre", 1.18623), ("edge", 2.82658)])
def test_mode_I_K_matches_tada_within_2_percent_on_every_ring(kind, factor):
    a = 0.5
    assert reference_K(kind, a) == pytest.approx(S * math.sqrt(math.pi * a) * factor, rel=1e-5)
    tips, integral, _ = solve_plate(kind, a)
    for tip in tips:
        result = integral.evaluate(tip.point, tip.direction, RINGS)
        K = reference_K(kind, a)
        # measured: centre ≤ 0.014 %, edge ≤ 0.32 %
        assert np.all(np.abs(result.K_I / K - 1) < 0.02)
        assert np.all(np.abs(result.K_II) < 1e-3 * K)
        assert result.G_spread < 0.01
        # G-θ and the interaction integral agree: G = (1 − ν²) K_I² / E
        assert result.G == pytest.approx((1 - NU**2) * result.K_I**2 / E, rel=2e-3)


def test_swelling_gradient_G_is_path_independent_only_with_the_eigenstrain_term():
    """β = β₀ r²/b² (a swelling gradient at the tips) on the loaded centre-cracked plate."""
    spreads = {}
    for term in (True, False):
        tips, integral, _ = solve_plate("centre", 0.5, beta0=2e-3, eigenstrain_term=term)
        result = integral.evaluate(tips[0].point, tips[0].direction, RINGS)
        spreads[term] = result.G_spread
        if term:
            K = (1 - NU**2) * (result.K_I**2 + result.K_II**2) / E
            assert result.G == pytest.approx(K, rel=2e-3)
    # measured: 0.08 % with the term, 7.3 % without
    assert spreads[True] < 0.01
    assert spreads[False] > 0.03


@pytest.mark.parametrize("beta0", [0.0, 2e-3])
def test_domain_integral_G_equals_minus_dPi_dA(beta0):
    """Central difference of the potential energy over crack half-lengths 0.49 and 0.51.

    Both tips of the centre crack advance: dA = 2 da, G = −(1/2) dΠ/da.
    """
    energies = [solve_plate("centre", a, beta0=beta0)[2] for a in (0.49, 0.51)]
    G_fd = -(energies[1] - energies[0]) / 0.02 / 2
    tips, integral, _ = solve_plate("centre", 0.5, beta0=beta0)
    G = integral.evaluate(tips[0].point, tips[0].direction, RINGS).G_mean
    # measured: 0.35 % (β₀ = 0), 0.38 % (β₀ = 2e-3)
    assert G_fd == pytest.approx(G, rel=0.01)


def test_inclined_centre_crack_mixed_mode():
    """a/b = 0.1 (nearly infinite plate), β = 30°: the infinite-plate K_I, K_II within 2 %."""
    a, beta = 0.1, math.radians(30)
    tips, integral, _ = solve_plate("centre", a, angle=beta, tip_size=0.0004, mesh_size=0.1)
    rings = [(0.2 * r1, 0.2 * r2) for r1, r2 in RINGS]
    result = integral.evaluate(tips[0].point, tips[0].direction, rings)
    K0 = S * math.sqrt(math.pi * a)
    # measured: K_I +0.6 %, K_II −0.5 % .. 0.0 %, spread of G 0.1 %
    assert result.K_I == pytest.approx(K0 * math.cos(beta) ** 2, rel=0.02)
    assert result.K_II == pytest.approx(K0 * math.sin(beta) * math.cos(beta), rel=0.02)
    assert result.G_spread < 0.01


def test_forms_are_compiled_once_for_all_tips_and_rings(request):
    tips, integral, _ = solve_plate("centre", 0.5, mesh_size=0.4, tip_size=0.02)
    calls = request.getfixturevalue("jit_calls")
    for tip in tips:
        integral.evaluate(tip.point, tip.direction, RINGS)
    assert calls["n"] == 0


@pytest.mark.parametrize(
    ("kind", "a", "angle", "words"),
    [
        ("edge", 1.0, 0.0, "cuts through"),
        ("centre", 1.2, 0.0, "leaves the plate"),
        ("centre", 0.9, math.radians(60), "leaves the plate"),
        ("centre", -0.1, 0.0, "positive"),
        ("slanted", 0.5, 0.0, "'centre' or 'edge'"),
    ],
)
def test_bad_cracks_are_input_errors(kind, a, angle, words):
    with pytest.raises(InputError, match=words) as error:
        cracked_plate(kind, a, 1.0, 0.5, 0.2, 0.01, angle=angle)
    assert error.value.field.startswith("cracks.")


@pytest.mark.mpi
@pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter")
def test_two_ranks_match_serial():
    """Inclined crack with a swelling gradient: G, K_I, K_II, Π on 2 ranks equal serial."""
    command = [MPIRUN, "-n", "2", sys.executable, "-m", "tests.support.fracture_fe"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    parallel = json.loads(out.stdout.strip().splitlines()[-1])
    tips, integral, energy = solve_plate("centre", 0.5, beta0=1e-3, angle=0.3)
    serial = integral.evaluate(tips[0].point, tips[0].direction, RINGS)
    assert parallel["energy"] == pytest.approx(energy, rel=1e-8)
    for key in ("G", "K_I", "K_II"):
        scale = np.max(np.abs(getattr(serial, "K_I" if key != "G" else "G")))
        assert np.allclose(parallel[key], getattr(serial, key), rtol=0, atol=1e-8 * scale)
