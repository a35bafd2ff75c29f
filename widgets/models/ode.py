"""A small explicit ODE solver in numpy: Dormand-Prince 5(4) with adaptive step size.

Why it exists: the balance model needs one non-stiff ODE solution per redraw.
Importing ``scipy.integrate`` for it costs a kernel about 23 MiB (it pulls in
``scipy.special``, ``scipy.optimize`` and ``scipy.sparse``), so the model uses this
solver instead; ``tests/test_ode.py`` checks it against SciPy's ``solve_ivp``.

The method
----------
Dormand & Prince, "A family of embedded Runge-Kutta formulae", J Comput Appl
Math 6:19-26 (1980), doi:10.1016/0771-050X(80)90013-3, in the form given by Hairer,
Norsett & Wanner, *Solving Ordinary Differential Equations I*, 2nd ed., Springer
1993, section II.4-II.5 (Table 5.2 holds the coefficients below).

* Each step evaluates the right-hand side 7 times and gives a 5th-order solution
  (the one kept) and an embedded 4th-order one; their difference estimates the
  error of the step.  The last stage is evaluated at the new point, so it is reused
  as the first stage of the next step ("first same as last": 6 new evaluations).
* Error control as in Hairer et al. (II.4): with ``scale = atol + rtol *
  max(|y_old|, |y_new|)`` per component, ``err = sqrt(mean((estimate / scale)**2))``.
  A step is accepted when ``err <= 1``; the next step size is
  ``h * min(5, max(0.2, 0.9 * err**(-1/5)))``, and after a rejection it may not grow.
* The first step size follows Hairer et al.'s starting-step algorithm (II.4).
* The solver never steps past the next output time: a step that would do so is
  shortened to land on it exactly, so every output value is a step's own 5th-order
  result, never an interpolation.  A step shortened only to land does not shrink the
  step after it.

It is meant for small, non-stiff systems (a handful of equations, rates not far
above 1/step).  A stiff system shows up as very many tiny steps; past ``max_steps``
the solver gives up with a ``ValueError`` that says so in plain words.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["OdeSolution", "solve_dopri5"]

# Butcher tableau of Dormand-Prince 5(4) (Hairer, Norsett & Wanner 1993, Table 5.2).
C2, C3, C4, C5 = 1 / 5, 3 / 10, 4 / 5, 8 / 9          # c6 = c7 = 1
A21 = 1 / 5
A31, A32 = 3 / 40, 9 / 40
A41, A42, A43 = 44 / 45, -56 / 15, 32 / 9
A51, A52, A53, A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
A61, A62, A63, A64, A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
#: the 5th-order weights b1..b6 (b2 = b7 = 0); they are also the 7th stage's row of A
B1, B3, B4, B5, B6 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
#: weights of the embedded 4th-order solution (b2 = 0)
D1, D3, D4, D5, D6, D7 = 5179 / 57600, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40
#: 5th minus 4th order: the error estimate of a step is h * sum(E_i * k_i)
E1, E3, E4, E5, E6, E7 = B1 - D1, B3 - D3, B4 - D4, B5 - D5, B6 - D6, -D7

_SAFETY = 0.9
_MIN_FACTOR = 0.2
_MAX_FACTOR = 5.0
_EXPONENT = -1 / 5  # the error estimate is of order 4, so err ~ h**5
_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class OdeSolution:
    """What :func:`solve_dopri5` returns.

    ``t``: the output times (as given); ``y``: the solution, one row per state
    variable and one column per output time (``y[:, j]`` is the state at ``t[j]``,
    the same layout as SciPy's ``solve_ivp``); ``steps``, ``rejected`` and
    ``evaluations``: accepted steps, rejected steps and right-hand-side calls.
    """

    t: np.ndarray
    y: np.ndarray
    steps: int
    rejected: int
    evaluations: int


def _rms(values, scales):
    return math.sqrt(sum((v / s) ** 2 for v, s in zip(values, scales)) / len(values))


def _first_step(f, t0, y0, f0, rtol, atol, span):
    """Starting step size (Hairer, Norsett & Wanner 1993, section II.4)."""
    scale = [atol + rtol * abs(v) for v in y0]
    d0, d1 = _rms(y0, scale), _rms(f0, scale)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, span)
    f1 = _as_floats(f(t0 + h0, [y + h0 * k for y, k in zip(y0, f0)]), len(y0))
    d2 = _rms([b - a for a, b in zip(f0, f1)], scale) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1 / 5)
    return min(100 * h0, h1, span)


def _as_floats(values, n):
    values = [float(v) for v in values]
    if len(values) != n:
        raise ValueError(f"The equations must give {n} rates of change, one per value; they gave {len(values)}.")
    return values


def solve_dopri5(f, t_out, y0, *, rtol=1e-6, atol=1e-9, max_steps=200_000):
    """Solve ``dy/dt = f(t, y)`` from ``t_out[0]`` (where ``y = y0``) to ``t_out[-1]``.

    ``f(t, y)`` gets a float and a list of floats and returns a sequence of floats of
    the same length.  ``t_out``: strictly increasing output times; the solver lands
    exactly on each.  ``rtol`` and ``atol``: relative and absolute tolerance per step
    (see the module docstring).  Returns an :class:`OdeSolution`.

    The arithmetic of a step runs on plain Python floats: for a handful of equations
    that is several times quicker than numpy, whose per-call overhead dominates on
    arrays of six numbers (numpy only holds the output).

    Raises ``ValueError`` with a plain-words message for bad input (times not
    increasing, values not finite), or when the solution cannot be finished: more
    than ``max_steps`` steps, a step size that shrinks to nothing, or values that
    blow up to infinity.
    """
    t_out = np.asarray(t_out, dtype=float)
    y_start = np.asarray(y0, dtype=float)
    if t_out.ndim != 1 or t_out.size < 1:
        raise ValueError("The output times must be a list of at least one number.")
    if y_start.ndim != 1 or y_start.size < 1:
        raise ValueError("The starting values must be a list of at least one number.")
    if not (np.isfinite(t_out).all() and np.isfinite(y_start).all()):
        raise ValueError("The output times and the starting values must all be finite numbers.")
    if t_out.size > 1 and not (np.diff(t_out) > 0).all():
        raise ValueError("The output times must increase strictly, one after another.")
    if not (rtol > 0 and atol > 0):
        raise ValueError(f"The tolerances must be above 0; got rtol={rtol!r}, atol={atol!r}.")

    n = y_start.size
    times = t_out.tolist()
    y = y_start.tolist()
    out = np.empty((n, len(times)))
    out[:, 0] = y
    t = times[0]
    k1 = _as_floats(f(t, y), n)
    evaluations = 1
    if not all(math.isfinite(v) for v in k1):
        raise ValueError(f"The equations give a value that is not a finite number at the start (t = {t:g}).")
    if len(times) == 1:
        return OdeSolution(t_out, out, 0, 0, evaluations)

    h = _first_step(f, t, y, k1, rtol, atol, times[-1] - t)
    evaluations += 1
    steps = rejected = 0
    grow_allowed = True
    j = 1  # index of the next output time
    while j < len(times):
        if steps + rejected >= max_steps:
            raise ValueError(
                f"The solver needed more than {max_steps:,} steps and stopped at t = {t:g} of "
                f"{times[-1]:g}: the equations change too fast for this method (they may be stiff)."
            )
        target = times[j]
        remaining = target - t
        landing = h >= remaining * (1 - 1e-12)
        hs = remaining if landing else h
        if hs <= 16 * _EPS * max(abs(t), 1.0):
            raise ValueError(
                f"The step size shrank to nothing at t = {t:g}: the solution could not be "
                "continued (the values may be blowing up)."
            )
        # the six new stages of one step (k1 is the last stage of the step before)
        a21 = hs * A21
        k2 = f(t + C2 * hs, [a + a21 * b1 for a, b1 in zip(y, k1)])
        a31, a32 = hs * A31, hs * A32
        k3 = f(t + C3 * hs, [a + a31 * b1 + a32 * b2 for a, b1, b2 in zip(y, k1, k2)])
        a41, a42, a43 = hs * A41, hs * A42, hs * A43
        k4 = f(t + C4 * hs, [a + a41 * b1 + a42 * b2 + a43 * b3 for a, b1, b2, b3 in zip(y, k1, k2, k3)])
        a51, a52, a53, a54 = hs * A51, hs * A52, hs * A53, hs * A54
        k5 = f(t + C5 * hs, [a + a51 * b1 + a52 * b2 + a53 * b3 + a54 * b4
                             for a, b1, b2, b3, b4 in zip(y, k1, k2, k3, k4)])
        a61, a62, a63, a64, a65 = hs * A61, hs * A62, hs * A63, hs * A64, hs * A65
        k6 = f(t + hs, [a + a61 * b1 + a62 * b2 + a63 * b3 + a64 * b4 + a65 * b5
                        for a, b1, b2, b3, b4, b5 in zip(y, k1, k2, k3, k4, k5)])
        w1, w3, w4, w5, w6 = hs * B1, hs * B3, hs * B4, hs * B5, hs * B6
        y_new = [a + w1 * b1 + w3 * b3 + w4 * b4 + w5 * b5 + w6 * b6
                 for a, b1, b3, b4, b5, b6 in zip(y, k1, k3, k4, k5, k6)]
        k7 = f(t + hs, y_new)
        evaluations += 6
        # error estimate of each component, divided by its scale atol + rtol * max(|y|, |y_new|)
        e1, e3, e4, e5, e6, e7 = hs * E1, hs * E3, hs * E4, hs * E5, hs * E6, hs * E7
        err = math.sqrt(sum(
            ((e1 * b1 + e3 * b3 + e4 * b4 + e5 * b5 + e6 * b6 + e7 * b7)
             / (atol + rtol * max(abs(a), abs(c)))) ** 2
            for a, c, b1, b3, b4, b5, b6, b7 in zip(y, y_new, k1, k3, k4, k5, k6, k7)
        ) / n)
        if not (math.isfinite(err) and math.isfinite(sum(y_new))):
            err = math.inf
        if err <= 1.0:
            steps += 1
            t = target if landing else t + hs
            y, k1 = y_new, k7  # first same as last
            factor = _MAX_FACTOR if err == 0.0 else min(_MAX_FACTOR, max(_MIN_FACTOR, _SAFETY * err ** _EXPONENT))
            if not grow_allowed:
                factor = min(factor, 1.0)
            # a step shortened only to land on an output time keeps the longer step size
            h = max(h, hs * factor) if landing and factor >= 1.0 else hs * factor
            grow_allowed = True
            if landing:
                out[:, j] = y
                j += 1
        else:
            rejected += 1
            factor = _MIN_FACTOR if err == math.inf else max(_MIN_FACTOR, _SAFETY * err ** _EXPONENT)
            h = hs * factor
            grow_allowed = False
    return OdeSolution(t_out, out, steps, rejected, evaluations)
