"""Buy-till-you-die purchase models (购买模型): BG/NBD and Pareto/NBD.

In a non-contractual business nobody tells the firm when they leave: a
customer who has not bought for a while may be gone or only resting. The
BG/NBD (Fader, Hardie & Lee 2005) and the Pareto/NBD (Schmittlein et al. 1987)
models read a customer's repeat-purchase count ``frequency`` (x), ``recency``
(t_x, time of the last purchase after the first) and age ``T`` and answer:

* how many purchases will this customer make in the next ``t`` periods
  (:meth:`~BetaGeoModel.expected_purchases`)?
* how likely is the customer still "alive" (:meth:`~BetaGeoModel.probability_alive`)?
* how many purchases does a new customer make in ``t`` periods
  (:meth:`~BetaGeoModel.expected_purchases_unconditional`)?

Both are fitted by maximum likelihood on a customer summary
(:func:`crm_lessons.customer_summary.summary_from_transactions`); identical
``(x, t_x, T)`` rows are compressed with weights, all terms are computed in
log space, so customers with hundreds of purchases and long histories are
fine. Model checks: :func:`plot_frequency_fit`,
:func:`plot_conditional_expectations`, :func:`plot_cumulative_purchases`.
Spend is modelled separately (:mod:`crm_lessons.spend_model`) and combined
into CLV in :mod:`crm_lessons.clv`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crm_lessons.models import ConvergenceError, LikelihoodModel, fit_mle
from crm_lessons._mle import (compress, log_hyp2f1_pfaff,
                              summary_arrays, wsum)
from crm_lessons._validation import CRMInputError, check_fitted, check_number

__all__ = [
    "BetaGeoModel",
    "ConvergenceError",
    "ParetoNBDModel",
    "plot_conditional_expectations",
    "plot_cumulative_purchases",
    "plot_frequency_fit",
]


def _arrays(frequency, recency, T):
    """Broadcast the three summary inputs to float arrays and check them."""
    x, tx, T = np.broadcast_arrays(np.asarray(frequency, float), np.asarray(recency, float),
                                   np.asarray(T, float))
    for name, v in (("frequency", x), ("recency", tx), ("T", T)):
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise CRMInputError(f"argument `{name}`: values must be finite and >= 0; found {v.ravel()[:5]!r}. "
                                "Use the columns of a customer summary.")
    if np.any(tx > T):
        raise CRMInputError("argument `recency`: must not exceed T; found recency > T. "
                            "Recency and T must be measured to the same as-of date.")
    return x, tx, T


def _time(t, name="t"):
    t = np.asarray(t, float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise CRMInputError(f"argument `{name}`: must be a time >= 0 (in the model's time unit); found {t!r}.")
    return t


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct (a, b) integer-code pairs and the first row of each."""
    inv, _ = pd.factorize(a.astype(np.int64) * (int(b.max()) + 1) + b)
    first = np.empty(int(inv.max()) + 1, dtype=np.int64)
    first[inv[::-1]] = np.arange(inv.size - 1, -1, -1)
    return inv, first


def _distinct_pairs(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, t) pairs of two flat arrays: their values and each row's pair code."""
    xi, _ = pd.factorize(x)
    ti, _ = pd.factorize(t)
    inv, first = _pairs(xi, ti)
    return x[first], t[first], inv


def _out(v):
    return float(v) if np.ndim(v) == 0 else v


class _PurchaseModel(LikelihoodModel):
    """Fit/predict plumbing shared by the BG/NBD and Pareto/NBD models."""

    _title = ""

    def __init__(self, *, penalizer: float = 0.0):
        check_number(penalizer, "penalizer", min_value=0)
        self.penalizer = penalizer

    # -- fitting ----------------------------------------------------------
    def fit(self, summary: pd.DataFrame, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T", weights_col: str | None = None):
        """Fit the model by maximum likelihood to a customer summary; returns ``self``.

        Parameters
        ----------
        summary : DataFrame
            One row per customer (or per identical profile with ``weights_col``).
        frequency_col, recency_col, T_col : str
            Columns of repeat purchases ``x``, recency ``t_x`` and age ``T``.
        weights_col : str, optional
            Column of customer counts when rows are already compressed.

        Raises
        ------
        CRMInputError
            On missing or invalid columns (negative values, recency > T).
        ConvergenceError
            If the optimiser fails (with advice: rescale time, check data).
        """
        cols = {"frequency_col": frequency_col, "recency_col": recency_col, "T_col": T_col}
        arr = summary_arrays(summary, cols)
        (x, tx, T), w, inv = compress(arr["frequency"], arr["recency"], arr["T"])
        if weights_col is not None:
            w = np.bincount(inv, weights=summary_arrays(summary, {"weights_col": weights_col})["weights"])
        self._data = self._prepare(x, tx, T, w)
        hessian = None
        if hasattr(self, "_hessian"):
            def hessian(theta):
                return self._hessian(theta, self._data) - 2 * self.penalizer * self._data["n"] * np.eye(theta.size)
        res = fit_mle(self._loglik_penalized, self._start(x, tx, T, w), n_obs=int(w.sum()),
                      model_name=type(self).__name__, gradient=self._has_gradient, hessian=hessian)
        self._set_fit(res, n=int(round(w.sum())))
        self.time_unit_ = summary.attrs.get("time_unit")
        del self._data
        return self

    def _loglik_penalized(self, theta):
        ll, g = self._loglik(theta, self._data)
        if self.penalizer:
            ll = ll - self.penalizer * self._data["n"] * np.sum(theta ** 2)
            if g is not None:
                g = g - 2 * self.penalizer * self._data["n"] * theta
        return ll, g

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Each customer's log-likelihood under the fitted parameters."""
        check_fitted(self)
        x, tx, T = _arrays(frequency, recency, T)
        shape = x.shape
        data = self._prepare(x.ravel(), tx.ravel(), T.ravel(), np.ones(x.size))
        return self._loglik_terms(self.params_.to_numpy(), data).reshape(shape)

    def _prepare(self, x, tx, T, w):
        """Arrays for the likelihood, with distinct values of x, t_x and T factored out.

        Terms depending on one of them alone (gamma functions of x, logs of
        ``alpha + T``) are then computed once per distinct value and gathered.
        """
        xi, ux = pd.factorize(x)
        txi, utx = pd.factorize(tx)
        Ti, uT = pd.factorize(T)
        return {"x": x, "tx": tx, "T": T, "w": w, "ux": np.asarray(ux, float), "xi": xi,
                "utx": np.asarray(utx, float), "txi": txi, "uT": np.asarray(uT, float), "Ti": Ti,
                "n": float(w.sum())}

    def _loglik(self, theta, d):
        terms = self._loglik_terms(theta, d)
        return wsum(d["w"], terms), None

    _has_gradient = False

    def _params(self):
        check_fitted(self)
        return self.params_.to_numpy()

    # -- simulation for model checks --------------------------------------
    def _draw_counts(self, T, rng):  # pragma: no cover - implemented by subclasses
        raise NotImplementedError


class BetaGeoModel(_PurchaseModel):
    """BG/NBD model (beta-geometric/NBD) of repeat purchasing, fitted by maximum likelihood.

    While active a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``;
    after each repeat purchase the customer drops out with probability
    ``p ~ Beta(a, b)``.

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty ``penalizer * n * sum(theta**2)`` on the parameters
        (``0`` is plain maximum likelihood).

    Attributes
    ----------
    params_ : Series
        ``r, alpha, a, b``.
    se_ : Series
        Standard errors from the inverse Hessian of the log-likelihood.
    cov_ : DataFrame
        Covariance matrix of the estimates.
    log_likelihood_ : float
        Maximised log-likelihood.

    Notes
    -----
    Likelihood of one customer (FHL 2005, eq. 6), with the terms named as in
    the paper and computed in log space:

    .. math::

        L(r, \\alpha, a, b \\mid x, t_x, T) = A_1 A_2 \\left(A_3 + \\delta_{x>0} A_4\\right)

        A_1 = \\frac{\\Gamma(r+x)\\alpha^r}{\\Gamma(r)},\\quad
        A_2 = \\frac{B(a, b+x)}{B(a, b)},\\quad
        A_3 = \\frac{1}{(\\alpha+T)^{r+x}},\\quad
        A_4 = \\frac{a}{b+x-1}\\frac{1}{(\\alpha+t_x)^{r+x}}

    The gradient is analytic (digamma functions). Predictions: FHL 2005
    eq. 9 (unconditional), eq. 10 (conditional expectation) and
    P(alive) from Fader, Hardie & Lee (2008), all in log space.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your
    customers" the easy way: An alternative to the Pareto/NBD model.
    Marketing Science 24(2), 275-284.
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2008). Computing P(alive)
    using the BG/NBD model. http://brucehardie.com/notes/021/

    Examples
    --------
    >>> from crm_lessons.simulate.transactions import simulate_transactions
    >>> from crm_lessons.customer_summary import summary_from_transactions
    >>> sim = simulate_transactions(5000, seed=2)
    >>> summ = summary_from_transactions(sim.data, as_of=sim.truth["end"], time_unit="W")
    >>> model = BetaGeoModel().fit(summ)
    >>> list(model.params_.index)
    ['r', 'alpha', 'a', 'b']
    >>> bool(abs(model.params_["r"] - 0.243) < 3 * model.se_["r"])
    True
    >>> round(float(BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    ...       .expected_purchases(39, 2, 30.43, 38.86)), 3)
    1.226
    """

    param_names = ("r", "alpha", "a", "b")
    _has_gradient = True

    def _start(self, x, tx, T, w):
        mean_rate = max(np.dot(w, x) / np.dot(w, T), 1e-6)
        return {"r": 1.0, "alpha": 1.0 / mean_rate, "a": 1.0, "b": 1.0}

    @staticmethod
    def _log_terms(theta, d):
        """ln A_1 + ln A_2 per customer, and the log-weights ln A_3, ln A_4."""
        r, alpha, a, b = theta
        ux, xi, x, tx, T = d["ux"], d["xi"], d["x"], d["tx"], d["T"]
        # terms depending on x only are computed once per distinct x
        lnA1 = (special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha))[xi]
        lnA2 = (special.betaln(a, b + ux) - special.betaln(a, b))[xi]
        log_aT = np.log(alpha + d["uT"])[d["Ti"]]
        log_atx = np.log(alpha + d["utx"])[d["txi"]]
        lnA3 = -(r + x) * log_aT
        with np.errstate(divide="ignore", invalid="ignore"):
            log_bx1 = np.log(np.where(ux > 0, b + ux - 1, 1.0))[xi]
        lnA4 = np.where(x > 0, np.log(a) - log_bx1 - (r + x) * log_atx, -np.inf)
        return lnA1, lnA2, lnA3, lnA4, log_aT, log_atx

    def _loglik_terms(self, theta, d):
        lnA1, lnA2, lnA3, lnA4, _, _ = self._log_terms(theta, d)
        return lnA1 + lnA2 + np.logaddexp(lnA3, lnA4)

    def _loglik(self, theta, d):
        r, alpha, a, b = theta
        ux, xi, x, tx, T, wt = d["ux"], d["xi"], d["x"], d["tx"], d["T"], d["w"]
        lnA1, lnA2, lnA3, lnA4, log_aT, log_atx = self._log_terms(theta, d)
        mix = np.logaddexp(lnA3, lnA4)
        ll = wsum(wt, lnA1 + lnA2 + mix)
        w4 = np.exp(lnA4 - mix)                    # share of the A_4 term (0 when x = 0)
        w3 = 1.0 - w4
        psi = special.digamma
        g_r = (psi(r + ux) - psi(r))[xi] + np.log(alpha) - w3 * log_aT - w4 * log_atx
        g_alpha = r / alpha - (r + x) * (w3 * (1 / (alpha + d["uT"]))[d["Ti"]]
                                         + w4 * (1 / (alpha + d["utx"]))[d["txi"]])
        g_a = (psi(a + b) - psi(a + b + ux))[xi] + w4 / a
        inv_bx1 = np.where(ux > 0, 1.0 / np.where(ux > 0, b + ux - 1, 1.0), 0.0)[xi]
        g_b = (psi(a + b) + psi(b + ux) - psi(b) - psi(a + b + ux))[xi] - w4 * inv_bx1
        grad = np.array([wsum(wt, g) for g in (g_r, g_alpha, g_a, g_b)])
        return ll, grad

    def _hessian(self, theta, d):
        """Analytic Hessian of the total log-likelihood in (r, alpha, a, b).

        Per customer ``ln L = ln A_1 + ln A_2 + ln(e^A + e^B)`` with ``A = ln A_3``,
        ``B = ln A_4``; the last term has Hessian
        ``w3 H_A + w4 H_B + w3 w4 (dA - dB)(dA - dB)^T`` (``w3, w4`` the shares).
        """
        r, alpha, a, b = theta
        ux, xi, x, wt = d["ux"], d["xi"], d["x"], d["w"]
        lnA1, lnA2, lnA3, lnA4, log_aT, log_atx = self._log_terms(theta, d)
        w4 = np.exp(lnA4 - np.logaddexp(lnA3, lnA4))
        w3 = 1.0 - w4
        v = w3 * w4
        i_aT = (1 / (alpha + d["uT"]))[d["Ti"]]
        i_atx = (1 / (alpha + d["utx"]))[d["txi"]]
        inv_bx1 = np.where(ux > 0, 1.0 / np.where(ux > 0, b + ux - 1, 1.0), 0.0)[xi]
        # D = dA - dB; its a-component is the constant -1/a
        D_r = log_atx - log_aT
        D_al = (r + x) * (i_atx - i_aT)
        D_b = inv_bx1
        tri = lambda z: special.polygamma(1, z)  # noqa: E731
        wx = np.bincount(xi, weights=wt, minlength=ux.size)
        W = float(wt.sum())
        s_ab = wsum(wx, tri(a + b) - tri(a + b + ux))
        h = np.empty((4, 4))
        h[0, 0] = wsum(wx, tri(r + ux) - tri(r)) + wsum(wt, v * D_r ** 2)
        h[0, 1] = W / alpha - wsum(wt, w3 * i_aT + w4 * i_atx) + wsum(wt, v * D_r * D_al)
        h[1, 1] = -W * r / alpha ** 2 + wsum(wt, (r + x) * (w3 * i_aT ** 2 + w4 * i_atx ** 2)) + wsum(wt, v * D_al ** 2)
        h[0, 2] = -wsum(wt, v * D_r) / a
        h[0, 3] = wsum(wt, v * D_r * D_b)
        h[1, 2] = -wsum(wt, v * D_al) / a
        h[1, 3] = wsum(wt, v * D_al * D_b)
        h[2, 2] = s_ab - wsum(wt, w4) / a ** 2 + wsum(wt, v) / a ** 2
        h[2, 3] = s_ab - wsum(wt, v * D_b) / a
        h[3, 3] = (wsum(wx, tri(b + ux) - tri(a + b + ux) - tri(b) + tri(a + b))
                   + wsum(wt, w4 * inv_bx1 ** 2) + wsum(wt, v * D_b ** 2))
        return np.triu(h) + np.triu(h, 1).T

    # -- predictions --------------------------------------------------------
    def _log_odds_dead(self, x, tx, T):
        """log of  delta_{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)  (-inf when x = 0)."""
        r, alpha, a, b = self._params()
        with np.errstate(divide="ignore", invalid="ignore"):
            v = (np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0))
                 + (r + x) * (np.log(alpha + T) - np.log(alpha + tx)))
        return np.where(x > 0, v, -np.inf)

    def probability_alive(self, frequency, recency, T):
        """Probability that a customer with history ``(x, t_x, T)`` is still active.

        Notes
        -----
        Fader, Hardie & Lee (2008), eq. 2:

        .. math::

            P(\\text{alive} \\mid x, t_x, T) = \\left(1 + \\delta_{x>0}\\frac{a}{b+x-1}
            \\left(\\frac{\\alpha+T}{\\alpha+t_x}\\right)^{r+x}\\right)^{-1}
        """
        x, tx, T = _arrays(frequency, recency, T)
        return _out(special.expit(-self._log_odds_dead(x, tx, T)))

    def expected_purchases_unconditional(self, t):
        """Expected number of repeat purchases of a new customer in ``(0, t]``.

        Notes
        -----
        FHL 2005, eq. 9:

        .. math::

            E[X(t)] = \\frac{a+b-1}{a-1}\\left[1 - \\left(\\frac{\\alpha}{\\alpha+t}\\right)^r
            {}_2F_1\\left(r, b; a+b-1; \\frac{t}{\\alpha+t}\\right)\\right]
        """
        r, alpha, a, b = self._params()
        t = _time(t)
        z = t / (alpha + t)
        # Euler: (1-z)^r 2F1(r, b; c; z) = (1-z)^(c-b) 2F1(c-r, c-b; c; z), c = a+b-1
        c = a + b - 1
        val = (a + b - 1) / (a - 1) * (1 - np.exp((c - b) * np.log1p(-z)) * special.hyp2f1(c - r, c - b, c, z))
        return _out(val)

    def expected_purchases(self, t, frequency, recency, T):
        """Expected number of purchases in the next ``t`` periods, given the history.

        Notes
        -----
        FHL 2005, eq. 10, with the hypergeometric part rewritten by Euler's
        transformation so that it stays finite for large ``x``:

        .. math::

            E[Y(t) \\mid x, t_x, T] = \\frac{\\frac{a+b+x-1}{a-1}\\left[1 -
            \\left(\\frac{\\alpha+T}{\\alpha+T+t}\\right)^{r+x}
            {}_2F_1\\left(r+x, b+x; a+b+x-1; \\frac{t}{\\alpha+T+t}\\right)\\right]}
            {1 + \\delta_{x>0}\\frac{a}{b+x-1}\\left(\\frac{\\alpha+T}{\\alpha+t_x}\\right)^{r+x}}

        and :math:`(1-z)^{r+x}\\,{}_2F_1(r+x, b+x; c; z) = (1-z)^{a-1}\\,{}_2F_1(a+b-1-r, a-1; c; z)`
        with :math:`c = a+b+x-1`.
        """
        r, alpha, a, b = self._params()
        t = _time(t)
        x, tx, T = _arrays(frequency, recency, T)

        def numerator(xx, TT, tt):
            z = tt / (alpha + TT + tt)
            c = a + b + xx - 1
            hyp_part = np.exp((a - 1) * np.log1p(-z)) * special.hyp2f1(a + b - 1 - r, a - 1, c, z)
            return (a + b + xx - 1) / (a - 1) * (1 - hyp_part)

        if np.ndim(t) == 0 and x.size > 1000:       # the 2F1 depends on (x, T) only: once per distinct pair
            shape = x.shape
            xu, Tu, inv = _distinct_pairs(x.ravel(), T.ravel())
            num = numerator(xu, Tu, t)[inv].reshape(shape)
        else:
            num = numerator(x, T, t)
        return _out(num * special.expit(-self._log_odds_dead(x, tx, T)))

    def _draw_counts(self, T, rng):
        r, alpha, a, b = self._params()
        lam = rng.gamma(r, 1 / alpha, size=T.size)
        p = rng.beta(a, b, size=T.size)
        return np.minimum(rng.geometric(p), rng.poisson(lam * T))


class ParetoNBDModel(_PurchaseModel):
    """Pareto/NBD model of repeat purchasing, fitted by maximum likelihood.

    While alive a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``;
    the lifetime is exponential with rate ``mu ~ Gamma(s, beta)``.

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty on the parameters (0: plain maximum likelihood).

    Attributes
    ----------
    params_ : Series
        ``r, alpha, s, beta``.
    se_, cov_, log_likelihood_
        As for :class:`BetaGeoModel`.

    Notes
    -----
    Likelihood (Fader & Hardie 2005, "A Note on Deriving the Pareto/NBD Model
    and Related Expressions", eq. 22):

    .. math::

        L = \\frac{\\Gamma(r+x)\\alpha^r\\beta^s}{\\Gamma(r)}\\left[
        \\frac{1}{(\\alpha+T)^{r+x}(\\beta+T)^s} + \\frac{s}{r+s+x} A_0\\right]

    with, for :math:`\\alpha \\ge \\beta`,

    .. math::

        A_0 = \\frac{{}_2F_1\\left(r+s+x, s+1; r+s+x+1; \\frac{\\alpha-\\beta}{\\alpha+t_x}\\right)}
        {(\\alpha+t_x)^{r+s+x}} - \\frac{{}_2F_1\\left(r+s+x, s+1; r+s+x+1;
        \\frac{\\alpha-\\beta}{\\alpha+T}\\right)}{(\\alpha+T)^{r+s+x}}

    and for :math:`\\alpha < \\beta` the same with :math:`s+1 \\to r+x`,
    :math:`\\alpha \\leftrightarrow \\beta` in the argument and denominators.
    This branch choice keeps the argument in ``[0, 1)``; each ``2F1`` is then
    evaluated as a logarithm through Pfaff's transformation
    (:func:`crm_lessons._mle.log_hyp2f1_pfaff`), so nothing overflows for
    large ``x``. The difference in :math:`A_0` is taken with ``log1p/expm1``.
    The gradient is numerical (central differences).

    References
    ----------
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your
    customers. Management Science 33(1), 1-24.
    Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD
    model and related expressions. http://brucehardie.com/notes/009/

    Examples
    --------
    >>> m = ParetoNBDModel.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> round(float(m.probability_alive(0, 0, 38.86)), 3)
    0.295
    """

    param_names = ("r", "alpha", "s", "beta")

    def _start(self, x, tx, T, w):
        mean_rate = max(np.dot(w, x) / np.dot(w, T), 1e-6)
        return {"r": 1.0, "alpha": 1.0 / mean_rate, "s": 1.0, "beta": float(np.dot(w, T) / w.sum())}

    def _prepare(self, x, tx, T, w):
        d = super()._prepare(x, tx, T, w)
        # the 2F1 terms depend on (x, t_x) and (x, T): computed once per distinct pair
        for key, codes in (("pair_tx", d["txi"]), ("pair_T", d["Ti"])):
            inv, first = _pairs(d["xi"], codes)
            d[key] = (x[first], (tx if key == "pair_tx" else T)[first], inv)
        return d

    @staticmethod
    def _log_parts(theta, x, tx, T, pairs=None):
        """log of the two bracket terms of the likelihood (without the constant)."""
        r, alpha, s, beta = theta

        def log_term(xx, t):
            k = r + s + xx
            if alpha >= beta:
                m, b1, diff = alpha, s + 1.0, alpha - beta
            else:
                m, b1, diff = beta, r + xx, beta - alpha
            return log_hyp2f1_pfaff(k, b1, diff / (m + t)) - k * np.log(m + t)

        if pairs is None:
            lt_x, lt_T = log_term(x, tx), log_term(x, T)
        else:
            (x1, t1, i1), (x2, t2, i2) = pairs
            lt_x, lt_T = log_term(x1, t1)[i1], log_term(x2, t2)[i2]
        k = r + s + x
        with np.errstate(divide="ignore"):
            log_A0 = lt_x + np.log(-np.expm1(np.minimum(lt_T - lt_x, 0.0)))
        if pairs is None:
            log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        else:
            log_first = -(r + x) * np.log(alpha + pairs[1][1])[pairs[1][2]] - s * np.log(beta + pairs[1][1])[pairs[1][2]]
        log_second = np.log(s) - np.log(k) + log_A0
        return log_first, log_second

    def _loglik_terms(self, theta, d):
        r, alpha, s, beta = theta
        const = (special.gammaln(r + d["ux"]) - special.gammaln(r))[d["xi"]] + r * np.log(alpha) + s * np.log(beta)
        first, second = self._log_parts(theta, d["x"], d["tx"], d["T"], (d["pair_tx"], d["pair_T"]))
        return const + np.logaddexp(first, second)

    def probability_alive(self, frequency, recency, T):
        """Probability that a customer with history ``(x, t_x, T)`` is still alive.

        Notes
        -----
        Fader & Hardie (2005 note), eq. 18: the first bracket term of the
        likelihood divided by the whole bracket,

        .. math::

            P(\\text{alive}) = \\left[1 + \\frac{s}{r+s+x}(\\alpha+T)^{r+x}(\\beta+T)^s A_0\\right]^{-1}
        """
        x, tx, T = _arrays(frequency, recency, T)
        first, second = self._parts(x, tx, T)
        return _out(special.expit(first - second))

    def _parts(self, x, tx, T):
        """Both bracket terms for prediction, the 2F1 once per distinct (x, t) pair."""
        if x.size <= 1000:
            return self._log_parts(self._params(), x, tx, T)
        shape = x.shape
        x, tx, T = x.ravel(), tx.ravel(), T.ravel()
        first, second = self._log_parts(self._params(), x, tx, T,
                                        (_distinct_pairs(x, tx), _distinct_pairs(x, T)))
        return first.reshape(shape), second.reshape(shape)

    @staticmethod
    def _survival_integral(s, beta_T, t):
        """(1 - ((beta+T)/(beta+T+t))^(s-1)) / (s-1), with the s -> 1 limit."""
        lg = np.log(beta_T + t) - np.log(beta_T)
        if abs(s - 1) < 1e-10:
            return lg
        return -np.expm1(-(s - 1) * lg) / (s - 1)

    def expected_purchases_unconditional(self, t):
        """Expected number of repeat purchases of a new customer in ``(0, t]``.

        Notes
        -----
        Fader & Hardie (2005 note), eq. 17:

        .. math::

            E[X(t)] = \\frac{r\\beta}{\\alpha(s-1)}\\left[1 - \\left(\\frac{\\beta}{\\beta+t}\\right)^{s-1}\\right]
        """
        r, alpha, s, beta = self._params()
        t = _time(t)
        return _out(r * beta / alpha * self._survival_integral(s, beta, t))

    def expected_purchases(self, t, frequency, recency, T):
        """Expected number of purchases in the next ``t`` periods, given the history.

        Notes
        -----
        Fader & Hardie (2005 note), eq. 19:

        .. math::

            E[Y(t) \\mid x, t_x, T] = \\frac{(r+x)(\\beta+T)}{(\\alpha+T)(s-1)}
            \\left[1 - \\left(\\frac{\\beta+T}{\\beta+T+t}\\right)^{s-1}\\right] P(\\text{alive})
        """
        r, alpha, s, beta = self._params()
        t = _time(t)
        x, tx, T = _arrays(frequency, recency, T)
        first, second = self._parts(x, tx, T)
        pa = special.expit(first - second)
        return _out((r + x) * (beta + T) / (alpha + T) * self._survival_integral(s, beta + T, t) * pa)

    def _draw_counts(self, T, rng):
        r, alpha, s, beta = self._params()
        lam = rng.gamma(r, 1 / alpha, size=T.size)
        mu = rng.gamma(s, 1 / beta, size=T.size)
        life = rng.standard_exponential(T.size) / mu
        return rng.poisson(lam * np.minimum(life, T))


# --------------------------------------------------------------------------- model checks
#: plain names of the models for legends (never a class name such as ``BetaGeoModel``)
MODEL_LABELS = {"BetaGeoModel": "BG/NBD model", "ParetoNBDModel": "Pareto/NBD model"}


def _model_label(model) -> str:
    return MODEL_LABELS.get(type(model).__name__, type(model).__name__)


def _ax(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_frequency_fit(model, summary: pd.DataFrame, *, max_frequency: int = 7, frequency_col: str = "frequency",
                       T_col: str = "T", n_draws: int = 20, seed: int = 0, ax=None):
    """Bar chart: number of customers by calibration repeat purchases, actual vs model.

    The model's counts are averaged over ``n_draws`` simulations of each
    customer's repeat purchases in ``(0, T]`` from the fitted model (FHL 2005,
    Figure 1); the last bar collects ``max_frequency`` and more.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_fitted(model)
    arr = summary_arrays(summary, {"frequency_col": frequency_col, "T_col": T_col})
    rng = np.random.default_rng(seed)
    bins = np.arange(max_frequency + 1)
    actual = np.bincount(np.minimum(arr["frequency"].astype(int), max_frequency), minlength=max_frequency + 1)
    sim = np.zeros(max_frequency + 1)
    for _ in range(n_draws):
        sim += np.bincount(np.minimum(model._draw_counts(arr["T"], rng), max_frequency),
                           minlength=max_frequency + 1)
    sim /= n_draws
    ax = _ax(ax)
    ax.bar(bins - 0.2, actual, width=0.4, label="Actual")
    ax.bar(bins + 0.2, sim, width=0.4, label=_model_label(model))
    ax.set_xticks(bins, [str(b) for b in bins[:-1]] + [f"{max_frequency}+"])
    ax.set_xlabel("Repeat purchases in calibration period")
    ax.set_ylabel("Customers")
    ax.set_title("Frequency of repeat purchases: actual vs model")
    ax.legend()
    return ax


def plot_conditional_expectations(model, summary: pd.DataFrame, *, max_frequency: int = 7,
                                  frequency_col: str = "frequency", recency_col: str = "recency",
                                  T_col: str = "T", holdout_col: str = "frequency_holdout",
                                  duration_col: str = "duration_holdout", ax=None):
    """Mean holdout purchases by calibration frequency: actual vs the model's conditional expectation.

    Needs a calibration/holdout summary (``summary_from_transactions(...,
    calibration_end=...)``). FHL 2005, Figure 4.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_fitted(model)
    arr = summary_arrays(summary, {"frequency_col": frequency_col, "recency_col": recency_col, "T_col": T_col,
                                   "holdout_col": holdout_col, "duration_col": duration_col})
    pred = model.expected_purchases(arr["duration"], arr["frequency"], arr["recency"], arr["T"])
    group = np.minimum(arr["frequency"].astype(int), max_frequency)
    df = pd.DataFrame({"group": group, "actual": arr["holdout"], "model": pred}).groupby("group").mean()
    ax = _ax(ax)
    ax.plot(df.index, df["actual"], marker="o", label="Actual")
    ax.plot(df.index, df["model"], marker="s", linestyle="--", label=_model_label(model))
    ax.set_xticks(df.index, [str(b) if b < max_frequency else f"{b}+" for b in df.index])
    ax.set_xlabel("Repeat purchases in calibration period")
    ax.set_ylabel("Mean purchases in holdout period")
    ax.set_title("Conditional expectations: actual vs model")
    ax.legend()
    return ax


def plot_cumulative_purchases(model, transactions: pd.DataFrame, *, calibration_end, end=None,
                              customer_col: str = "customer_id", date_col: str = "date",
                              time_unit: str = "W", freq: str = "W", ax=None):
    """Cumulative repeat purchases over calendar time, actual vs model (FHL 2005, Figure 2).

    Customers are those whose first purchase is on or before
    ``calibration_end``; repeat purchases are later distinct purchase days.
    The model line sums every customer's unconditional ``E[X(t)]`` at each
    date (customers grouped by first-purchase day). ``time_unit`` must be the
    unit the model was fitted in; ``freq`` ("D" or "W") is the step of the
    plotted dates. A vertical line marks the end of calibration.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from crm_lessons._validation import check_choice, check_dates, require_columns
    from crm_lessons.customer_summary import TIME_UNIT_DAYS

    check_fitted(model)
    require_columns(transactions, {"customer_col": customer_col, "date_col": date_col}, arg="transactions")
    check_choice(time_unit, "time_unit", list(TIME_UNIT_DAYS))
    check_choice(freq, "freq", ["D", "W"])
    days = check_dates(transactions, date_col, arg="transactions", col_arg="date_col").dt.normalize()
    log = pd.DataFrame({"c": transactions[customer_col].to_numpy(), "d": days.to_numpy()}).drop_duplicates()
    first = log.groupby("c")["d"].transform("min")
    cal_end = pd.Timestamp(calibration_end)
    end = pd.Timestamp(end) if end is not None else log["d"].max()
    keep = first <= cal_end
    log, first = log[keep], first[keep]
    repeat_days = log.loc[log["d"] > first, "d"]
    grid = pd.date_range(log["d"].min(), end, freq="D" if freq == "D" else "7D")
    actual = np.searchsorted(np.sort(repeat_days.to_numpy()), grid.to_numpy(), side="right")
    cohort = log.groupby("c")["d"].min().value_counts()
    unit = TIME_UNIT_DAYS[time_unit]
    age = (grid.to_numpy()[:, None] - cohort.index.to_numpy()[None, :]) / np.timedelta64(1, "D") / unit
    expected = np.where(age > 0, model.expected_purchases_unconditional(np.maximum(age, 0.0)), 0.0)
    predicted = expected @ cohort.to_numpy(dtype=float)
    ax = _ax(ax)
    ax.plot(grid, actual, label="Actual")
    ax.plot(grid, predicted, linestyle="--", label=_model_label(model))
    ax.axvline(cal_end, color="grey", linestyle=":", label="End of calibration")
    ax.set_xlabel("Date")
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel("Cumulative repeat purchases")
    ax.set_title("Cumulative repeat purchases: actual vs model")
    ax.legend()
    return ax
