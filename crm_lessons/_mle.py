"""Maximum-likelihood machinery shared by the CLV models (private).

* :func:`summary_arrays` -- check and extract frequency/recency/T(/monetary)
  columns of a customer summary;
* :func:`compress` -- identical rows collapsed into one row with a weight;
* :func:`fit_mle` -- maximise a weighted log-likelihood over log-parameters
  with scipy, standard errors from the Hessian, a clear error on failure;
* :func:`given_params` -- checked parameters for a model built with ``from_params``;
* :func:`log_hyp2f1_pfaff` -- ``log 2F1(a, b; a + 1; z)`` for ``0 <= z < 1``
  without overflow, used by the Pareto/NBD likelihood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.tables import SUMMARY

__all__ = ["ConvergenceError", "FitResult", "compress", "fit_mle", "given_params", "log_hyp2f1_pfaff",
           "numeric_gradient", "summary_arrays", "wsum"]


def given_params(names, values) -> pd.Series:
    """Parameters given by hand (published or true values), each checked to be > 0, as ``params_``.

    >>> given_params(("r", "alpha"), (0.243, 4.414)).to_dict()
    {'r': 0.243, 'alpha': 4.414}
    """
    for name, value in zip(names, values):
        check_number(value, name, min_value=0, strict=True)
    return pd.Series(list(values), index=list(names), dtype=float, name="estimate")


class ConvergenceError(CRMInputError):
    """The likelihood maximisation did not converge; the message says what to try."""


def summary_arrays(summary: pd.DataFrame, cols: dict[str, str], *, arg: str = "summary") -> dict[str, np.ndarray]:
    """Float arrays of the named columns of a customer summary, checked by :data:`crm_lessons.tables.SUMMARY`.

    ``cols`` maps the keyword argument (``frequency_col``) to the column name;
    the arrays are keyed by its stem (``frequency``).

    >>> s = pd.DataFrame({"frequency": [2, 0], "recency": [30.0, 0.0], "T": [40.0, 10.0]})
    >>> summary_arrays(s, {"frequency_col": "frequency", "T_col": "T"})["T"].tolist()
    [40.0, 10.0]
    """
    frame = SUMMARY.read(summary, arg=arg, **cols)
    return {col_arg.removesuffix("_col"): frame[SUMMARY.column(col_arg.removesuffix("_col")).name].to_numpy()
            for col_arg in cols}


def compress(*arrays: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Unique rows of the stacked arrays, their counts (weights) and the inverse index.

    Hashes (``pandas.factorize``) column by column into one integer key --
    linear time, much faster than sorting rows with ``np.unique(axis=0)``.
    Rows come in order of first appearance; columns are contiguous.
    """
    arrays = [np.asarray(a, float).ravel() for a in arrays]
    codes = np.zeros(arrays[0].size, dtype=np.int64)
    for a in arrays:
        c, u = pd.factorize(a)
        codes, _ = pd.factorize(codes * len(u) + c)
    k = int(codes.max()) + 1
    first = np.empty(k, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    counts = np.bincount(codes, minlength=k).astype(float)
    return [np.ascontiguousarray(a[first]) for a in arrays], counts, codes


def wsum(w: np.ndarray, v: np.ndarray) -> float:
    """Weighted sum without BLAS (whose threads spin on a busy machine)."""
    return float(np.sum(w * v))


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function."""
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@dataclass
class FitResult:
    params: pd.Series
    se: pd.Series
    cov: pd.DataFrame
    log_likelihood: float
    n_iter: int


def fit_mle(loglik: Callable[[np.ndarray], tuple[float, np.ndarray | None]], x0: dict[str, float], *,
            n_obs: int, model_name: str, gradient: bool = True, max_iter: int = 500,
            hessian: Callable[[np.ndarray], np.ndarray] | None = None) -> FitResult:
    """Maximise a log-likelihood over the logs of positive parameters.

    ``loglik(theta)`` takes the natural parameters (ordered as ``x0``) and
    returns the total log-likelihood and, if ``gradient``, its gradient with
    respect to ``theta``. The optimiser (L-BFGS-B) works on ``log(theta)``
    with the log-likelihood divided by ``n_obs``. Standard errors come from
    the inverse of the observed information (central differences of the
    gradient) in log space, mapped back by the delta method:
    ``cov(theta) = diag(theta) H_log^{-1} diag(theta)``.

    With an analytic ``hessian(theta)`` (the Hessian of the total
    log-likelihood in ``theta``) the optimiser is scipy's Newton trust-region
    method (``trust-exact``) and the standard errors use that Hessian.
    """
    names = list(x0)
    scale = float(max(n_obs, 1))
    raw_loglik, memo = loglik, {}

    def loglik(theta):                  # the optimiser asks twice for the same point (value, Hessian)
        key = theta.tobytes()
        if key not in memo:
            memo.clear()
            memo[key] = raw_loglik(theta)
        return memo[key]

    def objective(u):
        theta = np.exp(u)
        if gradient:
            ll, g = loglik(theta)
            return -ll / scale, -(g * theta) / scale
        return -loglik(theta)[0] / scale

    def value(u):
        with np.errstate(all="ignore"):
            v = objective(u)
        v = v[0] if gradient else v
        return v if np.isfinite(v) else np.inf

    def log_grad(u):
        theta = np.exp(u)
        if gradient:
            return loglik(theta)[1] * theta
        return numeric_gradient(lambda v: loglik(np.exp(v))[0], u)

    def log_hessian(u):
        """Hessian of the log-likelihood in u = log(theta) (chain rule)."""
        theta = np.exp(u)
        g = loglik(theta)[1]
        return np.outer(theta, theta) * hessian(theta) + np.diag(theta * g)

    u0 = np.log(np.array([x0[n] for n in names], dtype=float))
    jac = True if gradient else (lambda u: -log_grad(u) / scale)
    with np.errstate(all="ignore"):
        if hessian is not None:
            res = optimize.minimize(objective, u0, jac=True, hess=lambda u: -log_hessian(u) / scale,
                                    method="trust-exact", options={"maxiter": max_iter, "gtol": 1e-9})
        else:
            res = optimize.minimize(objective, u0, jac=jac, method="L-BFGS-B",
                                    bounds=[(-30.0, 30.0)] * len(names),
                                    options={"maxiter": max_iter, "ftol": 1e-11, "gtol": 1e-8})
    advice = ("Check the summary (frequency = repeat purchases, recency <= T, same time unit), "
              "rescale time (e.g. time_unit='W' instead of 'D') so that T is in the tens or hundreds, "
              "or fit a subsample first.")
    theta = np.exp(res.x)
    if not np.isfinite(res.fun):
        raise ConvergenceError(
            f"{model_name}: the log-likelihood is not finite at the start or optimum; found {res.fun!r}. {advice}")
    g = log_grad(res.x)
    if not res.success and np.max(np.abs(g)) / scale > 1e-4:
        raise ConvergenceError(
            f"{model_name}: maximum-likelihood fit did not converge ({res.message}); found parameters "
            f"{_show_params(names, theta)}. {advice}"
        )

    def information(u):
        if hessian is not None:
            return -log_hessian(u)
        if gradient:
            return _information(log_grad, u)
        return _information_from_values(lambda v: -value(v) * scale, u)

    # Newton polish with the observed information at the optimiser's answer: L-BFGS stops
    # early on the flat ridges of these likelihoods (e.g. the Pareto/NBD beta)
    u = res.x
    H = H0 = information(u)
    for _ in range(0 if hessian is not None else 4):
        try:
            step = np.linalg.solve(H0, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 1.0 or value(u + step) > value(u) + 1e-15:
            break
        u = u + step
        if np.max(np.abs(step)) < 1e-9:
            break
        g = log_grad(u)
    if np.max(np.abs(u - res.x)) > 1e-3:
        H = information(u)
    theta = np.exp(u)
    ll = -value(u) * scale
    eig = np.linalg.eigvalsh(H) if np.all(np.isfinite(H)) else np.array([np.nan])
    if np.any(np.abs(u) > 15) or not np.all(eig > 1e-8 * max(np.max(np.abs(eig)), 1.0)):
        raise ConvergenceError(
            f"{model_name}: maximum-likelihood fit did not converge to an interior maximum (a parameter ran "
            f"to 0 or infinity, or the data do not identify all parameters); found parameters "
            f"{_show_params(names, theta)}. {advice}"
        )
    cov_log = np.linalg.inv(H)
    cov = cov_log * np.outer(theta, theta)
    se = np.sqrt(np.diag(cov))
    return FitResult(params=pd.Series(theta, index=names, name="estimate"),
                     se=pd.Series(se, index=names, name="se"),
                     cov=pd.DataFrame(cov, index=names, columns=names),
                     log_likelihood=float(ll), n_iter=int(res.nit))


def _show_params(names, theta) -> str:
    return "{" + ", ".join(f"'{n}': {v:.6g}" for n, v in zip(names, theta)) + "}"


def _information(log_grad, u, h=1e-4):
    """Observed information (minus the Hessian) by central differences of the gradient."""
    k = u.size
    H = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        H[:, i] = -(log_grad(u + e) - log_grad(u - e)) / (2 * h)
    return (H + H.T) / 2


def _information_from_values(f, u, h=1e-4):
    """Minus the Hessian of ``f`` by central second differences of function values."""
    k = u.size
    f0 = f(u)
    E = np.eye(k) * h
    fp = np.array([f(u + E[i]) for i in range(k)])
    fm = np.array([f(u - E[i]) for i in range(k)])
    H = np.empty((k, k))
    for i in range(k):
        H[i, i] = -(fp[i] - 2 * f0 + fm[i]) / h ** 2
        for j in range(i):
            v = (f(u + E[i] + E[j]) - f(u + E[i] - E[j]) - f(u - E[i] + E[j]) + f(u - E[i] - E[j])) / (4 * h ** 2)
            H[i, j] = H[j, i] = -v
    return H


def log_hyp2f1_pfaff(a, b, z):
    """``log 2F1(a, b; a + 1; z)`` for ``0 <= z < 1``, stable for large ``a`` and ``b``.

    Pfaff's transformation ``2F1(a, b; c; z) = (1 - z)^{-b} 2F1(c - a, b; c; z/(z - 1))``
    with ``c = a + 1`` leaves ``2F1(1, b; a + 1; w)`` with ``w <= 0``, a number
    in ``(0, 1]`` when ``a + 1 > b > 0``; the large factor ``(1-z)^{-b}`` is
    kept as a logarithm.
    """
    a, b, z = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float), np.asarray(z, float))
    w = z / (z - 1.0)
    return -b * np.log1p(-z) + np.log(special.hyp2f1(1.0, b, a + 1.0, w))
