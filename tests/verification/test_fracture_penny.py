"""Penny crack: axisymmetric ring-crack integrals and G(s) along a 3D crack front.

Reference: K_I = 2σ√(a/π) for a penny crack of radius a under remote tension σ (Sneddon
1946; Tada, Paris & Irwin, The Stress Analysis of Cracks Handbook, 3rd ed. (2000)),
K_I = 1.12838e8 Pa√m for σ = 100 MPa, a = 1 m; G = (1 − ν²) K²/E
(plane strain at every point of the front). Issue 5 acceptance: 2 % (axisymmetric) and 3 %
(3D). The axisymmetric interaction integral uses the non-equilibrium formulation (Nahta &
Moran 1993): without its div σ_aux term K_I drifts by 1.1 % to 4.0 % over these rings.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from femsi.cracks.domain_integral import DomainIntegral
from femsi.cracks.integral_fields import Front
from femsi.cracks.penny_cylinder import penny_front
from femsi.cracks.results import mode_I_K
from tests.support.fracture_fe import NU, E
from tests.support.penny_fe import K_REF, SECTION_RINGS, quarter, section, section_model


def test_reference_value():
    assert K_REF == pytest.approx(2 * 100e6 * math.sqrt(1 / math.pi), rel=1e-12)
    assert K_REF == pytest.approx(1.12838e8, rel=1e-5)


def test_axisymmetric_penny_K_within_2_percent_and_converging():
    """Tip elements a/50, a/100, a/200 (P2, 20 a × 20 a half section)."""
    errors = []
    for tip_size in (0.02, 0.01, 0.005):
        integral, tip = section(tip_size)
        result = integral.evaluate(tip.point, tip.direction, SECTION_RINGS, symmetric=True)
        assert np.all(result.K_II == 0)
        # measured: interaction-integral K_I within 0.008 % on every ring at every size
        assert np.all(np.abs(result.K_I / K_REF - 1) < 0.02)
        K_from_G = mode_I_K(result.G, E, NU)
        # measured: K from G −0.16 %, −0.08 %, −0.03 %; ring spread of G ≤ 0.03 %
        assert np.all(np.abs(K_from_G / K_REF - 1) < 0.02)
        assert result.G_spread < 0.005
        errors.append(float(np.max(np.abs(K_from_G / K_REF - 1))))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.5 * errors[0]


def test_axisymmetric_swelling_bump_needs_the_explicit_term():
    """A study model (a-Si, E = 100 GPa) with a swelling bump Ω c = 3e-3 exp(−(r² + z²)/a²)
    at the crack centre under σ: the ring-crack G is path independent only with the
    concentration-gradient term, and agrees with the interaction-integral K_I."""
    model, tip = section_model(0.01, 3e-3)
    with_term = DomainIntegral.for_model(model)
    result = with_term.evaluate(tip.point, tip.direction, SECTION_RINGS, symmetric=True)
    without = DomainIntegral.for_model(model, explicit_term=False).evaluate(
        tip.point, tip.direction, SECTION_RINGS, symmetric=True
    )
    # measured: spread 0.0004 % with the term, 7.3 % without; K_I = 0.5906 K_REF on every ring
    # (compressive swelling at the crack closes it partly); G/((1 − ν²) K_I²/E) − 1 = −0.36 %
    # (−0.69 % at a/50, −0.17 % at a/200: G-θ converges more slowly than K_I)
    assert result.G_spread < 0.01
    assert without.G_spread > 0.05
    assert np.ptp(result.K_I) / np.mean(result.K_I) < 0.001
    assert result.G == pytest.approx((1 - NU**2) * result.K_I**2 / E, rel=0.01)
    assert 0.5 < result.K_I[0] / K_REF < 0.7


def test_3d_penny_front_K_within_3_percent_and_converging():
    """Quarter cylinder 10 a × 10 a, P2, tip elements a/10, a/20, a/40; 10 stations along the
    quarter front (hats over π/18), rings 0.1-0.2, 0.15-0.3, 0.2-0.4 a."""
    worst = []
    for tip_size in (0.1, 0.05, 0.025):
        result = quarter(tip_size)
        error = mode_I_K(result.G, E, NU) / K_REF - 1
        worst.append(float(np.max(np.abs(error))))
        assert np.all(result.ring_spread < 0.01)
    # measured: worst station 2.1 %, 1.15 %, 0.33 %; finest: −0.07 … −0.33 %, ring spread
    # ≤ 0.02 %, variation along the front 0.26 %
    assert worst[0] > worst[1] > worst[2]
    assert worst[2] < 0.03
    assert result.front_spread < 0.01
    assert result.s[-1] == pytest.approx(math.pi / 2, rel=1e-3)


def test_front_hats_and_distances():
    points, normals = penny_front(1.0, 91)
    front = Front.build(points, normals, np.arange(0, 91, 10))
    lengths = [front.hat_length(k) for k in range(len(front.stations))]
    assert sum(lengths) == pytest.approx(front.arc[-1], rel=1e-12)
    s = np.linspace(0, front.arc[-1], 1001)
    hats = np.array([front.hat(k, s) for k in range(len(front.stations))])
    assert np.allclose(hats.sum(axis=0), 1.0)  # a partition of unity along the front
    x = np.array([[1.3 * math.cos(0.4), 1.3 * math.sin(0.4), 0.2]])
    d, arc, n = front.closest(x)
    assert d[0] == pytest.approx(math.hypot(0.3, 0.2), rel=1e-4)
    # the polyline's chords (π/180 each) shift the closest point by up to ~0.3 · π/360
    assert arc[0] == pytest.approx(0.4, abs=3e-3)
    assert n[0] == pytest.approx([math.cos(0.4), math.sin(0.4), 0.0], abs=3e-3)
    along = np.stack([-normals[:, 1], normals[:, 0], normals[:, 2]], axis=1)
    with pytest.raises(ValueError, match="normal to the front"):
        Front.build(points, along)
    with pytest.raises(ValueError, match="unit"):
        Front.build(points, 2 * normals)


def test_axisymmetric_finite_strain_tends_to_small_strain():
    """σ = 100 MPa (strain 1e-3) with the swelling bump: the neo-Hookean ring-crack G (K NaN)
    is the small-strain G to within a few times the strain."""
    results = {}
    for mechanics in ("small_strain", "finite_strain"):
        model, tip = section_model(0.01, 3e-3, mechanics)
        integral = DomainIntegral.for_model(model)
        results[mechanics] = integral.evaluate(tip.point, tip.direction, SECTION_RINGS, True)
    finite, small = results["finite_strain"], results["small_strain"]
    assert np.all(np.isnan(finite.K_I))
    assert finite.G_spread < 0.01
    # measured: +0.22 %, ring spread 0.0004 % for both
    assert finite.G_mean == pytest.approx(small.G_mean, rel=5e-3)
