"""Spend per transaction (客单价): the Gamma-Gamma model of monetary value.

A customer's transactions vary around the customer's own mean spend, and the
means vary across customers. The Gamma-Gamma model (Fader, Hardie & Lee 2005;
Fader & Hardie 2013) puts ``z ~ Gamma(p, nu)`` on each transaction and
``nu ~ Gamma(q, gamma)`` across customers. For a customer with ``x`` repeat
purchases averaging ``m_x`` it predicts the mean spend of future transactions,
a weighted average of the population mean and the customer's own mean
(:meth:`GammaGammaModel.expected_spend`). It assumes spend is independent of
purchase frequency -- check the correlation before using it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crm_lessons._mle import summary_arrays, wsum
from crm_lessons.models import LikelihoodModel, fit_mle
from crm_lessons._validation import CRMInputError, check_fitted

__all__ = ["GammaGammaModel"]


class GammaGammaModel(LikelihoodModel):
    """Gamma-Gamma model of the mean spend per transaction, fitted by maximum likelihood.

    Fitted on customers with at least one repeat purchase (``frequency > 0``);
    rows with ``frequency == 0`` are ignored.

    Attributes
    ----------
    params_ : Series
        ``p, q, gamma``.
    se_ : Series
        Standard errors from the inverse Hessian.
    cov_ : DataFrame
        Covariance of the estimates.
    log_likelihood_ : float
        Maximised log-likelihood.

    Notes
    -----
    The mean :math:`m_x` of ``x`` transactions has density (Fader & Hardie
    2013, eq. 4)

    .. math::

        f(m_x \\mid p, q, \\gamma, x) = \\frac{\\Gamma(px+q)}{\\Gamma(px)\\Gamma(q)}
        \\frac{\\gamma^q\\, m_x^{px-1}\\, x^{px}}{(\\gamma + m_x x)^{px+q}}

    and the expected spend per transaction given the history (eq. 5)

    .. math::

        E[Z \\mid p, q, \\gamma, m_x, x] = \\frac{q-1}{px+q-1}\\frac{p\\gamma}{q-1}
        + \\frac{px}{px+q-1} m_x

    The gradient is analytic; the fit works on log-parameters.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary
    value. http://brucehardie.com/notes/025/
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using
    iso-value curves for customer base analysis. Journal of Marketing
    Research 42(4), 415-430.

    Examples
    --------
    >>> m = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    >>> round(float(m.expected_spend(2, 30.0)), 2)
    30.94
    >>> round(m.mean_spend(), 2)
    35.22
    """

    param_names = ("p", "q", "gamma")

    def fit(self, summary: pd.DataFrame, *, frequency_col: str = "frequency",
            monetary_value_col: str = "monetary_value"):
        """Fit to the repeat customers of a summary by maximum likelihood; returns ``self``.

        Raises
        ------
        CRMInputError
            On missing columns, negative values, a repeat customer with mean
            spend 0, or fewer than 10 repeat customers.
        ConvergenceError
            If the optimiser fails.
        """
        arr = summary_arrays(summary, {"frequency_col": frequency_col, "monetary_value_col": monetary_value_col})
        x, m = arr["frequency"], arr["monetary_value"]
        rep = x > 0
        if rep.sum() < 10:
            raise CRMInputError(
                f"argument `summary`: the Gamma-Gamma model needs customers with repeat purchases "
                f"(frequency > 0); found {int(rep.sum())}. Use a longer observation period or more customers.")
        # mean spends are continuous: rows are rarely identical, so no compression here
        ux, um = x[rep], m[rep]
        w = np.ones(ux.size)
        xi, xs = pd.factorize(ux)           # gamma functions once per distinct x
        xs = np.asarray(xs, float)
        data = {"x": ux, "m": um, "w": w, "log_m": np.log(um), "xm": ux * um, "xi": xi, "xs": xs,
                "xs_log_x": xs * np.log(xs), "x_log_m": ux * np.log(um), "wx": np.bincount(xi, weights=w)}
        mean_m = float(np.dot(w, um) / w.sum())
        var_m = float(np.dot(w, (um - mean_m) ** 2) / w.sum())
        start = {"p": max(mean_m ** 2 / max(var_m, 1e-12), 0.5), "q": 3.0, "gamma": 1.0}
        start["gamma"] = mean_m * (start["q"] - 1) / start["p"]
        res = fit_mle(lambda th: self._loglik(th, data), start, n_obs=int(w.sum()), model_name="GammaGammaModel",
                      hessian=lambda th: self._hessian(th, data))
        self._set_fit(res, n=int(round(w.sum())))
        return self

    @staticmethod
    def _loglik(theta, d):
        p, q, gamma = theta
        xi, xs, w = d["xi"], d["xs"], d["w"]
        pxs = p * xs
        psi = special.digamma
        log_gxm = np.log(gamma + d["xm"])
        # ln f = lnG(px+q) - lnG(px) - lnG(q) + q ln(gamma) + (px-1) ln(m) + px ln(x) - (px+q) ln(gamma + x m)
        per_x = special.gammaln(pxs + q) - special.gammaln(pxs) + p * d["xs_log_x"]
        px = pxs[xi]
        ll = (per_x[xi] - special.gammaln(q) + q * np.log(gamma) + p * d["x_log_m"] - d["log_m"]
              - (px + q) * log_gxm)
        g_p = (xs * (psi(pxs + q) - psi(pxs)) + d["xs_log_x"])[xi] + d["x_log_m"] - d["x"] * log_gxm
        g_q = psi(pxs + q)[xi] - psi(q) + np.log(gamma) - log_gxm
        g_gamma = q / gamma - (px + q) / (gamma + d["xm"])
        return wsum(w, ll), np.array([wsum(w, g) for g in (g_p, g_q, g_gamma)])

    @staticmethod
    def _hessian(theta, d):
        """Analytic Hessian of the total log-likelihood in (p, q, gamma)."""
        p, q, gamma = theta
        xs, wx, w = d["xs"], d["wx"], d["w"]
        tri = special.polygamma(1, p * xs + q)           # trigamma, once per distinct x
        inv = 1.0 / (gamma + d["xm"])
        px_q = p * d["x"] + q
        h_pp = wsum(wx, xs ** 2 * (tri - special.polygamma(1, p * xs)))
        h_pq = wsum(wx, xs * tri)
        h_pg = -wsum(w, d["x"] * inv)
        h_qq = wsum(wx, tri) - w.sum() * special.polygamma(1, q)
        h_qg = w.sum() / gamma - wsum(w, inv)
        h_gg = -w.sum() * q / gamma ** 2 + wsum(w, px_q * inv ** 2)
        return np.array([[h_pp, h_pq, h_pg], [h_pq, h_qq, h_qg], [h_pg, h_qg, h_gg]])

    def log_likelihood(self, frequency, monetary_value) -> np.ndarray:
        """Each repeat customer's log-density of the observed mean spend."""
        check_fitted(self)
        x, m = np.broadcast_arrays(np.asarray(frequency, float), np.asarray(monetary_value, float))
        d = {"x": x.ravel(), "m": m.ravel(), "log_m": np.log(m.ravel()), "log_x": np.log(x.ravel())}
        p, q, gamma = self.params_.to_numpy()
        px = p * d["x"]
        ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
              + (px - 1) * d["log_m"] + px * d["log_x"] - (px + q) * np.log(gamma + d["x"] * d["m"]))
        return ll.reshape(x.shape)

    def mean_spend(self) -> float:
        """Population mean spend per transaction, ``p * gamma / (q - 1)`` (needs q > 1)."""
        check_fitted(self)
        p, q, gamma = self.params_.to_numpy()
        if q <= 1:
            raise CRMInputError(f"GammaGammaModel: the mean spend is infinite for q <= 1; found q={q:.4g}. "
                                "Check the data for extreme spends.")
        return float(p * gamma / (q - 1))

    def expected_spend(self, frequency, monetary_value):
        """Expected spend per future transaction given ``x`` repeat purchases with mean ``m_x``.

        Customers without repeat purchases (``x = 0``) get the population mean.
        """
        check_fitted(self)
        p, q, gamma = self.params_.to_numpy()
        x, m = np.broadcast_arrays(np.asarray(frequency, float), np.asarray(monetary_value, float))
        if np.any(x < 0) or np.any(m < 0) or not np.all(np.isfinite(x * m)):
            raise CRMInputError("argument `frequency`/`monetary_value`: must be finite and >= 0; "
                                "found a negative or missing value. Use the columns of a customer summary.")
        w_pop = (q - 1) / (p * x + q - 1)
        val = w_pop * self.mean_spend() + (1 - w_pop) * m
        return float(val) if np.ndim(val) == 0 else val
