"""Transaction logs drawn from the BG/NBD or Pareto/NBD buy-till-you-die models (交易记录).

The customers of a non-contractual business (a shop, a CD store) buy "as and
when they want" and leave without telling anyone. The two classic models of
this, the BG/NBD (Fader, Hardie & Lee 2005) and the Pareto/NBD (Schmittlein,
Morrison & Colombo 1987), describe

* purchasing while alive: a Poisson process with rate ``lambda``, and
  ``lambda ~ Gamma(r, alpha)`` across customers (``alpha`` is a rate);
* dropout: BG/NBD -- after every repeat purchase the customer leaves with
  probability ``p``, ``p ~ Beta(a, b)``; Pareto/NBD -- the lifetime is
  exponential with rate ``mu``, ``mu ~ Gamma(s, beta)``;
* spend (Gamma-Gamma, Fader & Hardie 2013): each transaction's value is
  ``z ~ Gamma(p, nu)`` (shape, rate) and ``nu ~ Gamma(q, gamma)``.

:func:`simulate_transactions` draws a transaction log from these models, so that
lessons and tests can fit the models and compare estimates with the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_choice, check_date, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["DEFAULT_PARAMS", "DEFAULT_SPEND_PARAMS", "simulate_transactions"]

#: Default purchase-model parameters, per week: the CDNOW sample estimates
#: (BG/NBD: Fader, Hardie & Lee 2005; Pareto/NBD: Fader & Hardie 2005 note).
DEFAULT_PARAMS = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "paretonbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
}
#: Default Gamma-Gamma spend parameters: CDNOW estimates (Fader & Hardie 2013).
DEFAULT_SPEND_PARAMS = {"p": 6.25, "q": 3.74, "gamma": 15.44}

_UNIT_DAYS = {"D": 1.0, "W": 7.0}


def _check_params(params: dict, names: list[str], arg: str) -> dict:
    """Every named parameter present and > 0 (unknown keys are an error)."""
    if not isinstance(params, dict):
        raise CRMInputError(f"argument `{arg}`: must be a dict with keys {names}; found {params!r}.")
    unknown = sorted(set(params) - set(names))
    missing = [n for n in names if n not in params]
    if unknown or missing:
        raise CRMInputError(
            f"argument `{arg}`: needs exactly the keys {names}; found {sorted(params)}. "
            f"Pass e.g. {arg}={ {n: 1.0 for n in names} }."
        )
    for n in names:
        check_number(params[n], f"{arg}['{n}']", min_value=0, strict=True)
    return {n: float(params[n]) for n in names}


def _event_times(rng: np.random.Generator, k: np.ndarray, n: np.ndarray,
                 window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first ``k`` of ``n`` sorted uniform points on ``(0, window)``, per customer.

    Uses the spacings of the exponential distribution: ``n`` sorted uniforms
    are ``cumsum(E_1..E_{n+1}) / sum(E_1..E_{n+1})``; only the first ``k``
    spacings are drawn, the remaining ``n + 1 - k`` are summed into one
    ``Gamma(n + 1 - k)`` draw. Returns (customer index per event, event times).
    """
    owner = np.repeat(np.arange(k.size), k)
    e = rng.standard_exponential(owner.size)
    csum = np.cumsum(e)
    ends = np.cumsum(k)
    starts = ends - k
    before = np.concatenate(([0.0], csum))[starts]     # cumsum before each customer's block
    csum -= np.repeat(before, k)
    total = np.zeros(k.size)
    has = k > 0
    total[has] = csum[ends[has] - 1]
    rest = rng.standard_gamma(n + 1 - k)                # the spacings not drawn one by one
    times = window[owner] * csum / (total + rest)[owner]
    return owner, times


def simulate_transactions(n_customers: int, *, model: str = "bgnbd", params: dict | None = None,
                          spend_params: dict | None = None, start="1997-01-01",
                          acquisition_days: int = 84, observation_days: int = 546,
                          time_unit: str = "W", timestamps: bool = False, seed: int = 0) -> Simulated:
    """Draw a transaction log from the BG/NBD or Pareto/NBD model with Gamma-Gamma spend.

    Customers make their first purchase on a day drawn uniformly from the
    ``acquisition_days`` after ``start``; the log ends ``observation_days``
    after ``start``. Repeat purchases follow the chosen model; every
    transaction's value follows the Gamma-Gamma model. Fully vectorised:
    one million customers take about a second.

    Parameters
    ----------
    n_customers : int
        Number of customers (each makes at least the first purchase).
    model : {"bgnbd", "paretonbd"}
        Purchase-and-dropout model.
    params : dict, optional
        BG/NBD ``{"r", "alpha", "a", "b"}`` or Pareto/NBD
        ``{"r", "alpha", "s", "beta"}``, with rates per ``time_unit``.
        Default: the CDNOW estimates per week (:data:`DEFAULT_PARAMS`).
    spend_params : dict, optional
        Gamma-Gamma ``{"p", "q", "gamma"}``; default the CDNOW estimates.
    start : str or Timestamp
        First day of the acquisition window.
    acquisition_days : int
        Length of the window in which first purchases happen (> 0).
    observation_days : int
        Length of the whole log from ``start`` (> ``acquisition_days``).
    time_unit : {"W", "D"}
        Time unit in which ``params`` are expressed (weeks or days).
    timestamps : bool, default False
        ``False``: ``date`` holds calendar days (as in CDNOW), so purchases on
        one day merge in a summary and recency is rounded down to days, a
        small bias against the continuous-time models at large sizes.
        ``True``: ``date`` holds the exact simulated times (to the
        microsecond); summarise with ``period=None`` to recover the
        continuous-time truth.
    seed : int
        Random seed.

    Returns
    -------
    Simulated
        ``data``: DataFrame ``customer_id, date, amount`` (one row per
        transaction, sorted by customer and date; dates are calendar days).
        ``truth``: ``model``, ``params``, ``spend_params``, ``time_unit``,
        ``start``, ``end`` (the as-of date of the log: ``T = end - first purchase``) and ``customers``, a DataFrame
        per customer: ``customer_id, first_purchase, lam, p`` (BG/NBD) or
        ``mu`` (Pareto/NBD), ``nu`` (spend rate), ``alive`` (still active at
        the end) and ``n_repeat`` (true repeat transactions in the log).

    Raises
    ------
    CRMInputError
        If a size, window, model name or parameter is invalid.

    Notes
    -----
    Per customer ``i`` with first purchase at time 0 and ``T_i`` time units
    observed: ``lambda_i ~ Gamma(r, alpha)``, ``N_i ~ Poisson(lambda_i T_i)``
    purchases of an immortal customer. BG/NBD: ``J_i ~ Geometric(p_i)``
    repeat purchases until dropout (the customer leaves right after the
    ``J``-th), so ``min(J_i, N_i)`` are seen, the first of the ``N_i``
    uniform event times. Pareto/NBD: the lifetime ``tau_i ~ Exp(mu_i)``; the
    purchases are ``Poisson(lambda_i min(tau_i, T_i))`` uniform times on
    ``(0, min(tau_i, T_i))``. Event times are rounded down to calendar days,
    so two purchases on the same day merge into one day in a customer
    summary (rare at CDNOW-like rates).

    .. math::

        \\lambda \\sim \\Gamma(r, \\alpha),\\quad p \\sim B(a, b),\\quad
        \\mu \\sim \\Gamma(s, \\beta),\\quad z \\sim \\Gamma(p, \\nu),\\quad
        \\nu \\sim \\Gamma(q, \\gamma)

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your
    customers" the easy way: An alternative to the Pareto/NBD model.
    Marketing Science 24(2), 275-284.
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your
    customers: Who are they and what will they do next? Management Science
    33(1), 1-24.
    Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of
    monetary value. http://brucehardie.com/notes/025/

    Examples
    --------
    >>> sim = simulate_transactions(1000, seed=1)
    >>> list(sim.data.columns)
    ['customer_id', 'date', 'amount']
    >>> sim.data["customer_id"].nunique()
    1000
    >>> sim.truth["params"]
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_choice(model, "model", ["bgnbd", "paretonbd"])
    check_choice(time_unit, "time_unit", list(_UNIT_DAYS))
    check_number(acquisition_days, "acquisition_days", min_value=1, integer=True)
    check_number(observation_days, "observation_days", min_value=1, integer=True)
    if observation_days <= acquisition_days:
        raise CRMInputError(
            f"argument `observation_days`: must be larger than acquisition_days={acquisition_days}; "
            f"found {observation_days}. The log must run on after the last first purchase."
        )
    names = list(DEFAULT_PARAMS[model])
    params = _check_params(dict(DEFAULT_PARAMS[model]) if params is None else params, names, "params")
    spend = _check_params(dict(DEFAULT_SPEND_PARAMS) if spend_params is None else spend_params,
                          ["p", "q", "gamma"], "spend_params")
    start = check_date(start, "start", example="1997-01-01").normalize()

    rng = rng_from(seed)
    n = int(n_customers)
    unit = _UNIT_DAYS[time_unit]
    first_day = rng.integers(0, acquisition_days, size=n)            # day offset of first purchase
    T = (observation_days - first_day) / unit                          # time observed after it, in units
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], size=n)
    customers = {"customer_id": np.arange(1, n + 1),
                 "first_purchase": start + pd.to_timedelta(first_day, unit="D"), "lam": lam}
    if model == "bgnbd":
        p = rng.beta(params["a"], params["b"], size=n)
        n_events = rng.poisson(lam * T)
        n_until_dropout = rng.geometric(p)                             # J >= 1
        k = np.minimum(n_until_dropout, n_events)
        window = T
        alive = n_until_dropout > n_events
        customers["p"] = p
    else:
        mu = rng.gamma(params["s"], 1.0 / params["beta"], size=n)
        lifetime = rng.standard_exponential(n) / mu
        window = np.minimum(lifetime, T)
        k = n_events = rng.poisson(lam * window)
        alive = lifetime > T
        customers["mu"] = mu
    owner, times = _event_times(rng, k, n_events, window)

    nu = rng.gamma(spend["q"], 1.0 / spend["gamma"], size=n)
    customers["nu"] = nu
    customers["alive"] = alive
    customers["n_repeat"] = k

    offset = times * unit if timestamps else np.floor(times * unit)
    day = np.concatenate((first_day.astype(float), first_day[owner] + offset))
    who = np.concatenate((np.arange(n), owner))
    amount = rng.gamma(spend["p"], 1.0, size=who.size) / nu[who]
    # sort by customer and time without sorting: repeats come grouped by customer and in time
    # order already; each customer's first purchase goes in front of its repeats
    before = np.cumsum(k) - k
    order = np.empty(who.size, dtype=np.int64)
    order[before + np.arange(n)] = np.arange(n)
    order[np.arange(owner.size) + owner + 1] = n + np.arange(owner.size)
    micro = np.round(day[order] * 86_400e6).astype(np.int64).astype("timedelta64[us]")
    data = pd.DataFrame({
        "customer_id": who[order] + 1,
        "date": (start.to_datetime64().astype("datetime64[us]") + micro).astype("datetime64[ns]"),
        "amount": np.maximum(np.round(amount[order], 2), 0.01),
    })
    truth = {"model": model, "params": params, "spend_params": spend, "time_unit": time_unit,
             "start": start, "end": start + pd.Timedelta(days=observation_days),
             "customers": pd.DataFrame(customers)}
    return Simulated(data=data, truth=truth)
