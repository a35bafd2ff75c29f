"""The IgG model's own matrix exponential (widgets/models/expm.py), against SciPy's.

The IgTherapySimulator's sawtooth, peaks and troughs are products of these matrices;
SciPy stays installed for the tests only.
"""
import subprocess
import sys

import numpy as np
import pytest

from widgets.models import igg
from widgets.models.expm import expm


def _scipy_expm(A):
    from scipy.linalg import expm as reference

    return reference(A)


def _model_matrices():
    """The IgG model's rate matrix for the default patient and at the ends of every range the
    model accepts (weight and the rate and volume parameters), at the time steps it uses."""
    limits = {name: igg._PARAM_LIMITS[name] for name in (
        "clearance_ml_per_day_per_kg", "central_volume_ml_per_kg", "peripheral_volume_ml_per_kg",
        "intercompartmental_clearance_ml_per_day_per_kg", "scig_absorption_per_day")}
    rng = np.random.default_rng(5)
    cases = [(70.0, {}), (1.0, {k: lo for k, (lo, hi) in limits.items()}),
             (250.0, {k: hi for k, (lo, hi) in limits.items()})]
    cases += [(float(rng.choice(igg.WEIGHT_RANGE_KG)), {k: float(rng.choice(v)) for k, v in limits.items()})
              for _ in range(5)]
    for weight, overrides in cases:
        A = igg._rate_matrix(igg._params(weight, overrides))
        for t in (0.25, 1.0, 7.0, 28.0, 90.0, 3650.0):
            yield A, t


def test_matches_scipy_on_the_igg_models_matrices():
    count = 0
    for A, t in _model_matrices():
        ours, reference = expm(A * t), _scipy_expm(A * t)
        assert np.allclose(ours, reference, rtol=1e-10, atol=1e-14), (A, t)
        count += 1
    assert count == 48


def test_matches_scipy_on_random_matrices():
    rng = np.random.default_rng(11)
    for size in (1, 2, 3, 5):
        for scale in (1e-3, 0.5, 3.0, 40.0):
            A = rng.normal(scale=scale, size=(size, size))
            assert np.allclose(expm(A), _scipy_expm(A), rtol=1e-9, atol=1e-12), (size, scale)


def test_known_closed_forms():
    assert np.allclose(expm(np.zeros((3, 3))), np.eye(3), rtol=0, atol=1e-15)
    d = np.array([-0.5, 0.0, 2.0])
    assert np.allclose(expm(np.diag(d)), np.diag(np.exp(d)), rtol=1e-14)
    # a rotation generator: exp([[0, -w], [w, 0]]) is the rotation by angle w
    w = 2.5
    rotation = np.array([[np.cos(w), -np.sin(w)], [np.sin(w), np.cos(w)]])
    assert np.allclose(expm(np.array([[0.0, -w], [w, 0.0]])), rotation, atol=1e-14)


def test_defective_matrix_where_an_eigendecomposition_would_fail():
    # a Jordan block: exp([[a, 1], [0, a]] t) = e^(a t) [[1, t], [0, 1]]
    a, t = -0.3, 12.0
    exact = np.exp(a * t) * np.array([[1.0, t], [0.0, 1.0]])
    assert np.allclose(expm(np.array([[a, 1.0], [0.0, a]]) * t), exact, rtol=1e-12, atol=1e-15)


def test_absorption_equal_to_a_blood_rate_gives_the_same_levels_as_scipy():
    # choose the skin depot's absorption rate equal to the faster eigenvalue of the blood
    # compartments: the rate matrix then has a repeated eigenvalue
    p = igg._params(70.0, {})
    blood = igg._rate_matrix(p)[1:, 1:]
    fast = -float(np.linalg.eigvals(blood).real.min())
    A = igg._rate_matrix({**p, "ka": fast})
    for t in (0.25, 7.0, 28.0):
        assert np.allclose(expm(A * t), _scipy_expm(A * t), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("bad, words", [
    (np.ones((2, 3)), "square"),
    (np.ones(3), "square"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), "finite"),
])
def test_bad_input_is_a_plain_words_error(bad, words):
    with pytest.raises(ValueError, match=words):
        expm(bad)


def test_igg_model_no_longer_imports_scipy():
    code = ("import sys, widgets.models.igg as m; m.igg_levels(400, 28, days=60); m.steady_state(400, 28);"
            "bad = sorted(n for n in sys.modules if n == 'scipy' or n.startswith('scipy.'));"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
