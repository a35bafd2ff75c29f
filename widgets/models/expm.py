"""The matrix exponential in numpy: scaling and squaring with a [13/13] Pade approximant.

Why it exists: the IgG model (``igg.py``) needs ``exp(A t)`` of its 3 x 3 rate matrix,
and importing ``scipy.linalg`` for that one function costs a kernel about 15 MiB.

The method is Higham's (N. J. Higham, "The scaling and squaring method for the matrix
exponential revisited", SIAM J Matrix Anal Appl 26:1179-1193, 2005,
doi:10.1137/04061101X, the algorithm of MATLAB's ``expm``; SciPy uses its refinement by
Al-Mohy & Higham 2009.  Here the degree-13 approximant is always used):

1. scale: choose the smallest ``s >= 0`` with ``||A||_1 / 2**s <= theta_13 = 5.37...``;
2. approximate ``exp(A / 2**s)`` by the [13/13] Pade approximant ``r(X) = q(X)^-1 p(X)``,
   whose backward error is then below double precision's unit roundoff;
3. square the result ``s`` times: ``exp(A) = exp(A / 2**s) ** (2**s)``.

Unlike an eigendecomposition, this needs no distinct eigenvalues, so it stays
accurate for defective matrices (in the IgG model, for instance, when the skin
depot's absorption rate equals one of the blood compartments' rates).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["expm"]

#: coefficients b_0..b_13 of the degree-13 Pade approximant's numerator p(X) = sum b_k X^k
#: (the denominator is q(X) = p(-X)); Higham 2005
_B = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
      129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
      40840800.0, 960960.0, 16380.0, 182.0, 1.0)
#: the largest 1-norm for which the degree-13 approximant is accurate to unit roundoff (Higham 2005)
_THETA_13 = 5.371920351148152


def expm(A) -> np.ndarray:
    """``exp(A)`` of a real square matrix ``A`` (a new float array of the same shape).

    Raises ``ValueError`` for a matrix that is not square or holds values that are not
    finite numbers.
    """
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"expm needs a square matrix; got an array of shape {A.shape}.")
    if not np.isfinite(A).all():
        raise ValueError("expm needs a matrix of finite numbers.")
    n = A.shape[0]
    ident = np.eye(n)
    norm = float(np.abs(A).sum(axis=0).max()) if n else 0.0
    s = max(0, math.ceil(math.log2(norm / _THETA_13))) if norm > _THETA_13 else 0
    X = A / 2.0 ** s
    b = _B
    X2 = X @ X
    X4 = X2 @ X2
    X6 = X4 @ X2
    U = X @ (X6 @ (b[13] * X6 + b[11] * X4 + b[9] * X2) + b[7] * X6 + b[5] * X4 + b[3] * X2 + b[1] * ident)
    V = X6 @ (b[12] * X6 + b[10] * X4 + b[8] * X2) + b[6] * X6 + b[4] * X4 + b[2] * X2 + b[0] * ident
    R = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R
