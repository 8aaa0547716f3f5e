"""Customer summary (客户汇总): frequency, recency, T and monetary value per customer.

The buy-till-you-die models of :mod:`crm_lessons.purchase_models` and the
spend model of :mod:`crm_lessons.spend_model` do not need every transaction,
only four numbers per customer -- the "RFM" summary in the definitions of
Fader, Hardie & Lee (2005) and of the ``lifetimes`` package:

* ``frequency`` -- number of **repeat** purchases: distinct time periods (days
  by default) with a purchase, minus one (the first purchase);
* ``recency`` -- time of the last purchase minus time of the first;
* ``T`` -- the as-of date minus the time of the first purchase (the customer's
  "age");
* ``monetary_value`` -- mean value of the repeat purchases (0 without any);
  the first purchase's value is left out, as in Fader & Hardie (2013).

:func:`summary_from_transactions` builds it with sorting and ``reduceat``
(no Python loop over customers): ten million transactions take a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._grouping import customer_slots, day_numbers, month_numbers, periods_per_customer
from crm_lessons._validation import CRMInputError, check_choice, check_date
from crm_lessons.tables import TRANSACTIONS

__all__ = ["TIME_UNIT_DAYS", "summary_from_periods", "summary_from_transactions"]

#: Length of a time unit in days (a month is 365.25 / 12 days).
TIME_UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


def _period_index(days: np.ndarray, period: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Integer period of each day (days since 1970-01-01) and the period's first day.

    ``period=None``: ``days`` are exact (fractional) times; each distinct time is its own period.
    """
    if period is None:
        return days, days
    if period == "D":
        return days, days
    if period == "W":                       # weeks Monday..Sunday (1970-01-01 was a Thursday)
        week = (days + 3) // 7
        return week, week * 7 - 3
    month = month_numbers(days)
    return month, month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _to_days(values: pd.Series, exact: bool) -> np.ndarray:
    if exact:
        return values.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 86_400e9
    return day_numbers(values)


def _as_day(value, name: str, exact: bool = False):
    ts = check_date(value, name, example="1997-09-30")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    if exact:
        return ts.value / 86_400e9
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index | np.ndarray]:
    """Integer code of each row's customer, codes in sorted order of the ids, and the ids of the codes."""
    return customer_slots(ids)


def _start_of(per: np.ndarray, period: str | None) -> np.ndarray:
    """First day (days since 1970-01-01) of integer periods."""
    if period in (None, "D"):
        return per
    if period == "W":
        return per * 7 - 3
    return per.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _per_customer(code: np.ndarray, period: np.ndarray, start_day: np.ndarray,
                  amount: np.ndarray | None, period_kind: str | None = "D", n_codes: int | None = None) -> dict:
    """Collapse transactions to distinct (customer, period) and then to customers.

    Returns, per customer present, ``code``, number of distinct periods,
    first and last period start day, total value and value of the first period.
    Integer periods take the sort-free path of :func:`crm_lessons._grouping.periods_per_customer`.
    """
    if np.issubdtype(period.dtype, np.integer):
        g = periods_per_customer(code, period, amount, n_codes=n_codes)
        out = {"code": g["code"], "n_periods": g["n_periods"],
               "first_day": _start_of(g["first"], period_kind), "last_day": _start_of(g["last"], period_kind)}
        if amount is not None:
            out["total"], out["first_value"] = g["total"], g["first_value"]
        return out
    order = np.lexsort((period, code))
    code, period, start_day = code[order], period[order], start_day[order]
    new = np.empty(code.size, dtype=bool)
    new[0] = True
    new[1:] = (code[1:] != code[:-1]) | (period[1:] != period[:-1])
    cell = np.flatnonzero(new)                                  # first row of each distinct period
    c_code, c_day = code[cell], start_day[cell]
    c_value = np.add.reduceat(amount[order], cell) if amount is not None else None
    first = np.empty(cell.size, dtype=bool)
    first[0] = True
    first[1:] = c_code[1:] != c_code[:-1]
    cust = np.flatnonzero(first)
    last = np.append(cust[1:], cell.size) - 1
    out = {"code": c_code[cust], "n_periods": np.diff(np.append(cust, cell.size)),
           "first_day": c_day[cust], "last_day": c_day[last]}
    if c_value is not None:
        out["total"] = np.add.reduceat(c_value, cust)
        out["first_value"] = c_value[cust]
    return out


def summary_from_transactions(transactions: pd.DataFrame, *, customer_col: str = "customer_id",
                              date_col: str = "date", amount_col: str | None = "amount",
                              as_of=None, calibration_end=None, holdout_end=None,
                              time_unit: str = "D", period: str | None = "D") -> pd.DataFrame:
    """Summarise a transaction log into frequency, recency, T and monetary value per customer.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (several rows per period are merged).
    customer_col, date_col, amount_col : str
        Columns of customer id, transaction date and value. ``amount_col=None``
        leaves out the monetary columns.
    as_of : date, optional
        End of the observation period (for ``T``); default the last date in
        the log. Transactions after it are ignored. Not used with a split.
    calibration_end, holdout_end : date, optional
        Calibration/holdout split: the summary describes transactions up to
        ``calibration_end`` (customers first seen after it are left out); the
        holdout columns count the purchases in ``(calibration_end,
        holdout_end]`` (default ``holdout_end``: the last date in the log).
        Customers' first purchases must fall in the calibration period.
    time_unit : {"D", "W", "M"}
        Unit of ``recency``, ``T`` and ``duration_holdout``: days, weeks
        (7 days) or months (365.25/12 days); fractional values are kept.
    period : {"D", "W", "M"} or None
        Granularity of "distinct time periods": purchases within one day
        (week, month) count once, with their values summed. ``None`` uses
        exact timestamps: every distinct time is a purchase occasion and
        recency/T are measured to the second (for simulated continuous-time
        data; ``as_of`` is then an exact time, midnight for a plain date).

    Returns
    -------
    DataFrame
        Sorted by ``customer_id``, columns ``customer_id, frequency, recency,
        T`` and ``monetary_value`` (with ``amount_col``); with a split also
        ``frequency_holdout``, ``monetary_value_holdout`` (mean value per
        holdout purchase period, 0 without any; ``lifetimes`` averages raw
        transactions instead) and ``duration_holdout``. ``attrs["time_unit"]``
        records the unit, which the CLV models pick up.

    Raises
    ------
    CRMInputError
        On missing columns, unparseable dates, negative or non-numeric
        amounts, an ``as_of`` before some kept first purchase, or a split
        with ``holdout_end`` not after ``calibration_end``.

    Notes
    -----
    With periods :math:`t_1 < \\dots < t_{x+1}` holding a customer's
    purchases up to the end :math:`t_{end}` and values :math:`v_j`:

    .. math::

        \\text{frequency} = x,\\quad \\text{recency} = t_{x+1} - t_1,\\quad
        T = t_{end} - t_1,\\quad
        \\text{monetary\\_value} = \\frac{1}{x}\\sum_{j=2}^{x+1} v_j

    These are the definitions of ``lifetimes.utils.summary_data_from_transaction_data``
    with ``freq="D"``; for coarser ``period`` the times are the periods' first
    days (``lifetimes`` uses integer period counts instead).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using
    iso-value curves for customer base analysis. Journal of Marketing
    Research 42(4), 415-430.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": ["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"],
    ...                     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> summary_from_transactions(log, as_of="2024-01-21")
       customer_id  frequency  recency     T  monetary_value
    0            1          1     10.0  20.0            20.0
    1            2          0      0.0  16.0             0.0
    """
    check_choice(time_unit, "time_unit", list(TIME_UNIT_DAYS))
    check_choice(period, "period", [*TIME_UNIT_DAYS, None])
    exact = period is None
    log = TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col, date_col=date_col,
                            amount_col=amount_col)
    dates = log["date"]
    amount = log["amount"].to_numpy() if amount_col is not None else None

    days = _to_days(dates, exact)
    split = calibration_end is not None
    if split:
        if as_of is not None:
            raise CRMInputError("argument `as_of`: not used with calibration_end; found both. "
                                "Pass calibration_end (and holdout_end) only.")
        end = _as_day(calibration_end, "calibration_end", exact)
        h_end = _as_day(holdout_end, "holdout_end", exact) if holdout_end is not None else days.max()
        if h_end <= end:
            raise CRMInputError(
                f"argument `holdout_end`: must be after calibration_end; found "
                f"{np.datetime64(int(h_end), 'D')} <= {np.datetime64(int(end), 'D')}. Choose a later holdout end."
            )
    elif holdout_end is not None:
        raise CRMInputError("argument `holdout_end`: needs calibration_end; found only holdout_end. "
                            "Pass calibration_end='YYYY-MM-DD' too.")
    else:
        end = _as_day(as_of, "as_of", exact) if as_of is not None else days.max()

    codes, uniques = _customer_codes(log["customer_id"])
    del log, dates                                  # the arrays above are all that is needed
    if period is None:
        per = start_day = days
    else:                                           # integer periods: start days only per customer, later
        per = days if period == "D" else (days + 3) // 7 if period == "W" else \
            month_numbers(days)
        start_day = per
    keep = days <= end
    if not keep.any():
        raise CRMInputError(
            f"argument `{'calibration_end' if split else 'as_of'}`: no transaction on or before "
            f"{np.datetime64(int(end), 'D')}; found first date {np.datetime64(int(days.min()), 'D')}. "
            "Choose a later date."
        )
    everything = bool(keep.all())
    cal = _per_customer(codes if everything else codes[keep], per if everything else per[keep],
                        start_day if everything else start_day[keep],
                        (amount if everything else amount[keep]) if amount is not None else None,
                        period, uniques.size)
    unit = TIME_UNIT_DAYS[time_unit]
    end_period_start = _period_index(np.array([end]), period)[1][0]
    out = summary_from_periods(uniques[cal["code"]], cal["n_periods"], cal["first_day"], cal["last_day"],
                               end_period_start, total=cal.get("total"), first_value=cal.get("first_value"),
                               time_unit=time_unit)
    if split:
        hold = (days > end) & (days <= h_end)
        h_freq = np.zeros(uniques.size, dtype=np.int64)
        h_value = np.zeros(uniques.size)
        if hold.any():
            h = _per_customer(codes[hold], per[hold], start_day[hold],
                              amount[hold] if amount is not None else None, period, uniques.size)
            h_freq[h["code"]] = h["n_periods"]
            if amount is not None:
                h_value[h["code"]] = h["total"] / h["n_periods"]
        out["frequency_holdout"] = h_freq[cal["code"]]
        if amount is not None:
            out["monetary_value_holdout"] = h_value[cal["code"]]
        out["duration_holdout"] = (h_end - end) / unit
    return out


def summary_from_periods(ids, n_periods, first_day, last_day, end_day, *, total=None, first_value=None,
                         time_unit: str = "D") -> pd.DataFrame:
    """The customer summary of :func:`summary_from_transactions` from per-customer aggregates already made.

    For callers that aggregate the log once for several purposes (the RFM table
    and the purchase models of a report): each customer's number of distinct
    purchase periods, the first days of the first and last periods, and
    optionally the total spend and the spend of the first period.

    Parameters
    ----------
    ids : array
        Customer ids (one per customer, in the order wanted).
    n_periods, first_day, last_day : int arrays
        Distinct purchase periods; first days of the first and the last (days since 1970-01-01).
    end_day : int or float
        First day of the period ending the observation (the as-of day for daily periods).
    total, first_value : float arrays, optional
        Total spend and spend in the first period (both, or neither).
    time_unit : {"D", "W", "M"}
        Unit of ``recency`` and ``T``.

    Returns
    -------
    DataFrame
        ``customer_id, frequency, recency, T`` (and ``monetary_value`` with ``total``), as
        :func:`summary_from_transactions` returns them.

    Notes
    -----
    ``frequency`` :math:`= n - 1`, ``recency`` = last - first, ``T`` = end - first
    (in ``time_unit``), ``monetary_value`` = (total - first_value) / frequency (0 without repeats).

    Examples
    --------
    >>> summary_from_periods(["a", "b"], np.array([2, 1]), np.array([0, 6]), np.array([10, 6]), 16,
    ...                      total=np.array([30.0, 5.0]), first_value=np.array([10.0, 5.0]))
      customer_id  frequency  recency     T  monetary_value
    0           a          1     10.0  16.0            20.0
    1           b          0      0.0  10.0             0.0
    """
    check_choice(time_unit, "time_unit", list(TIME_UNIT_DAYS))
    unit = TIME_UNIT_DAYS[time_unit]
    freq = n_periods - 1
    out = pd.DataFrame({
        "customer_id": ids,
        "frequency": freq,
        "recency": (last_day - first_day) / unit,
        "T": (end_day - first_day) / unit,
    })
    if total is not None:
        repeat_total = total - first_value
        out["monetary_value"] = np.divide(repeat_total, freq, out=np.zeros(freq.size), where=freq > 0)
    out.attrs["time_unit"] = time_unit
    return out
