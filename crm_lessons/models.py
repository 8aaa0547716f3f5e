"""The model contract shared by every maximum-likelihood model of the package (模型约定).

Every such model -- :class:`~crm_lessons.purchase_models.BetaGeoModel`,
:class:`~crm_lessons.purchase_models.ParetoNBDModel`,
:class:`~crm_lessons.spend_model.GammaGammaModel`,
:class:`~crm_lessons.retention.ShiftedBetaGeometric` and any later one --
derives from :class:`LikelihoodModel` and so has, with the same meaning:

* ``fit(data, *, ...)`` returning ``self``;
* ``params_``, ``se_`` (pandas Series indexed by parameter name), ``cov_``
  (DataFrame), ``log_likelihood_`` (maximised total), ``n_`` (number of
  customers the fit used), ``n_iter_``;
* ``from_params(**params)``: a model with given (published or true)
  parameters, fully usable: ``repr``, ``summary()`` and every prediction work
  (its ``se_`` are NaN: given values have no sampling error);
* ``summary()``: estimates with standard errors and 95% intervals.

Every numerical failure of a fit raises :class:`ConvergenceError` -- its own
class, not an input error -- with a message that says what went wrong and
what to try. :func:`fit_mle` is the one optimiser behind all of them.

Examples
--------
>>> from crm_lessons.purchase_models import BetaGeoModel
>>> m = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> m
BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426; given parameters)
>>> m.summary()["estimate"].tolist()
[0.243, 4.414, 0.793, 2.426]
>>> issubclass(ConvergenceError, ValueError)
False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_lessons._mle import numeric_gradient
from crm_lessons._validation import CRMInputError, check_fitted, check_number

__all__ = ["ConvergenceError", "FitResult", "LikelihoodModel", "fit_mle"]

#: Two-sided 95% normal quantile.
_Z95 = 1.959963984540054


class ConvergenceError(RuntimeError):
    """A maximum-likelihood fit failed numerically; the message says why and what to try.

    This is not a mistake in the input's format (that is
    :class:`~crm_lessons.CRMInputError`): the data are valid but do not
    identify the model, or the optimiser could not find its maximum.
    """


class LikelihoodModel:
    """Base of the maximum-likelihood models: fitted state, ``from_params``, ``repr``, ``summary``.

    Subclasses set :attr:`param_names` and, in ``fit``, call :meth:`_set_fit`.
    """

    #: Names of the parameters, in the paper's order.
    param_names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}()"
        p = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        fitted = f"n={self.n_}" if self.n_ else "given parameters"
        return f"{type(self).__name__}({p}; {fitted})"

    @classmethod
    def from_params(cls, **params: float):
        """A model with given parameters (published or true values), ready to predict.

        Every parameter of :attr:`param_names` must be given, as a number > 0.
        """
        names = list(cls.param_names)
        if sorted(params) != sorted(names):
            raise CRMInputError(
                f"argument `params`: {cls.__name__}.from_params needs exactly {names}; found "
                f"{sorted(params)}. Pass e.g. {cls.__name__}.from_params("
                + ", ".join(f"{n}=1.0" for n in names) + ")."
            )
        for name in names:
            check_number(params[name], name, min_value=0, strict=True)
        model = cls()
        nan = np.full(len(names), np.nan)
        model._set_fit(FitResult(params=pd.Series([float(params[n]) for n in names], index=names, name="estimate"),
                                 se=pd.Series(nan, index=names, name="se"),
                                 cov=pd.DataFrame(np.full((len(names),) * 2, np.nan), index=names, columns=names),
                                 log_likelihood=float("nan"), n_iter=0), n=0)
        return model

    def _set_fit(self, res: FitResult, *, n: int) -> None:
        self.params_, self.se_, self.cov_ = res.params, res.se, res.cov
        self.log_likelihood_ = res.log_likelihood
        self.n_ = int(n)
        self.n_iter_ = res.n_iter

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% Wald intervals (NaN for given parameters)."""
        check_fitted(self)
        return pd.DataFrame({"estimate": self.params_, "se": self.se_,
                             "lower_95": self.params_ - _Z95 * self.se_,
                             "upper_95": self.params_ + _Z95 * self.se_})


@dataclass
class FitResult:
    params: pd.Series
    se: pd.Series
    cov: pd.DataFrame
    log_likelihood: float
    n_iter: int


def fit_mle(loglik: Callable[[np.ndarray], tuple[float, np.ndarray | None]], x0: dict[str, float], *,
            n_obs: int, model_name: str, gradient: bool = True, max_iter: int = 500,
            hessian: Callable[[np.ndarray], np.ndarray] | None = None, advice: str | None = None) -> FitResult:
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
    advice = advice or ("Check the summary (frequency = repeat purchases, recency <= T, same time unit), "
                        "rescale time (e.g. time_unit='W' instead of 'D') so that T is in the tens or hundreds, "
                        "or fit a subsample first.")
    try:
        return _maximise(loglik, x0, n_obs=n_obs, model_name=model_name, gradient=gradient, max_iter=max_iter,
                         hessian=hessian, advice=advice)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:   # NaN/inf met inside the search
        raise ConvergenceError(
            f"{model_name}: the likelihood could not be evaluated during the search ({exc}); the data do "
            f"not identify the model. {advice}") from exc


def _maximise(loglik, x0, *, n_obs, model_name, gradient, max_iter, hessian, advice) -> FitResult:
    from scipy import optimize          # here, not at import: the modules built on this one load fast and light

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


