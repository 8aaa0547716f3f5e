"""Staffing report: call forecast by weekday and time of day, Erlang C agents, rostered staff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons import callcenter
from crm_lessons._validation import CRMInputError
from crm_lessons.reports.results import Chart, ReportResult, fmt_number, fmt_pct

__all__ = ["build", "forecast_by_slot"]

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def forecast_by_slot(data: pd.DataFrame, *, as_of, interval_minutes: int, weeks: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean calls per weekday and time slot over the last ``weeks`` weeks before ``as_of``.

    Returns ``(forecast, daily)``: forecast rows ``weekday, slot, calls, days``;
    daily rows ``date, calls`` (all days in the file).
    """
    t = pd.to_datetime(data["time"])
    step = t.sort_values().diff().dropna()
    step = step[step > pd.Timedelta(0)]
    base = step.mode().iloc[0] if len(step) else pd.Timedelta(minutes=interval_minutes)
    if pd.Timedelta(minutes=interval_minutes) % base != pd.Timedelta(0):
        raise CRMInputError(
            f"argument `--param interval_minutes`: must be a multiple of the data's interval "
            f"({int(base.total_seconds() // 60)} min); found {interval_minutes}. "
            f"Pass e.g. --param interval_minutes={int(max(base.total_seconds() // 60, 1)) * 6}."
        )
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1) if as_of else t.max().normalize() + pd.Timedelta(days=1)
    start = end - pd.Timedelta(weeks=weeks)
    frame = pd.DataFrame({"time": t.dt.floor(f"{interval_minutes}min"), "calls": data["calls"].to_numpy()})
    daily = frame.groupby(frame["time"].dt.normalize())["calls"].sum().rename_axis("date").reset_index()
    recent = frame[(frame["time"] >= start) & (frame["time"] < end)]
    if recent.empty:
        raise CRMInputError(
            f"argument `--as-of`: no calls in the {weeks} weeks up to {(end - pd.Timedelta(days=1)).date()}; "
            f"found data from {t.min().date()} to {t.max().date()}. Pass an --as-of date within the data."
        )
    per = recent.groupby("time")["calls"].sum().reset_index()
    per["day"] = per["time"].dt.normalize()
    per["weekday"] = per["time"].dt.dayofweek
    per["slot"] = per["time"].dt.strftime("%H:%M")
    days = per.groupby("weekday")["day"].nunique()
    fc = per.groupby(["weekday", "slot"])["calls"].sum().reset_index()
    fc["days"] = fc["weekday"].map(days)
    fc["calls"] = fc["calls"] / fc["days"]
    fc["weekday"] = fc["weekday"].map(dict(enumerate(_DAYS)))
    return fc[["weekday", "slot", "calls", "days"]], daily


def build(data: pd.DataFrame, *, as_of, aht_seconds: float = 300.0, target_sl: float = 0.8,
          answer_seconds: float = 20.0, shrinkage: float = 0.3, max_occupancy: float = 0.85,
          interval_minutes: int = 30, weeks: int = 8) -> ReportResult:
    """Forecast calls per weekday and slot, and the agents Erlang C needs for the target service."""
    fc, daily = forecast_by_slot(data, as_of=as_of, interval_minutes=interval_minutes, weeks=weeks)
    staff = callcenter.staffing_table(fc["calls"], interval=interval_minutes * 60, aht=aht_seconds,
                                      target_sl=target_sl, answer_time=answer_seconds, shrinkage=shrinkage,
                                      max_occupancy=max_occupancy)
    table = pd.concat([fc[["weekday", "slot"]], staff.reset_index(drop=True)], axis=1)
    table["days_averaged"] = fc["days"].to_numpy()
    hours = interval_minutes / 60
    peak = table.loc[table["agents"].idxmax()]
    week_agent_hours = float(table["agents"].sum() * hours)
    week_staff_hours = float(table["staff"].sum() * hours)
    capped = table[(table["agents"] > 0) & (table["occupancy"] >= max_occupancy - 1 / table["agents"].clip(lower=1))]
    faster = callcenter.agents_needed(calls=float(peak["calls"]), interval=interval_minutes * 60,
                                      aht=aht_seconds * 0.9, target_sl=target_sl, answer_time=answer_seconds,
                                      max_occupancy=max_occupancy)
    weekdays = [d for d in _DAYS if d in set(table["weekday"])]
    by_slot = table.pivot(index="slot", columns="weekday", values="agents")[weekdays]
    calls_slot = table.pivot(index="slot", columns="weekday", values="calls")[weekdays]

    def _lines(frame, ylabel):
        def draw(ax):
            frame.plot(ax=ax, marker=".", lw=1)
            ax.set_xlabel("Time of day")
            ax.set_ylabel(ylabel)
            ax.legend(title="Weekday", ncols=min(len(frame.columns), 4), fontsize="small")
        return draw

    def _daily(ax):
        ax.plot(daily["date"], daily["calls"], lw=1)
        ax.set_xlabel("Date")
        ax.set_ylabel("Calls per day")

    res = ReportResult(title="Contact-centre staffing")
    res.key_figures = {
        "As-of date": str(pd.Timestamp(as_of).date()) if as_of else "last date in the data",
        "Weeks averaged for the forecast": str(weeks),
        "Calls expected per week": fmt_number(table["calls"].sum()),
        "Busiest interval": f"{peak['weekday']} {peak['slot']} ({fmt_number(peak['calls'])} calls)",
        "Agents needed at peak": f"{int(peak['agents'])} on the phones, {int(peak['staff'])} rostered",
        "Service target": f"{fmt_pct(target_sl, 0)} answered within {answer_seconds:g} s (AHT {aht_seconds:g} s)",
        "Agent-hours per week": f"{fmt_number(week_agent_hours)} on the phones, "
                                f"{fmt_number(week_staff_hours)} rostered ({fmt_pct(shrinkage, 0)} shrinkage)",
        "Mean occupancy": fmt_pct(np.average(table["occupancy"], weights=table["agents"].clip(lower=1e-9))),
    }
    res.actions = [
        f"Roster {int(peak['staff'])} staff for {peak['weekday']} {peak['slot']}, the peak; follow the "
        "'staffing' table interval by interval rather than one flat headcount.",
        f"Cutting handle time by 10% would need {int(peak['agents']) - faster} fewer agent(s) at peak: "
        "coach on after-call work and knowledge-base answers.",
        (f"In {len(capped)} of {len(table)} intervals the occupancy cap ({fmt_pct(max_occupancy, 0)}), not the "
         "service target, sets the headcount: there the queue is short but agents run hot; plan breaks "
         "and coaching outside these intervals." if len(capped) else
         f"The service target, not the occupancy cap ({fmt_pct(max_occupancy, 0)}), sets the headcount "
         "in every interval."),
        "Check the forecast against last weeks' actual calls before publishing the roster.",
    ]
    res.charts = [
        Chart("Agents needed by time of day", _lines(by_slot, "Agents on the phones"), table="agents by slot"),
        Chart("Expected calls by time of day", _lines(calls_slot, f"Calls per {interval_minutes} min"),
              table="calls by slot"),
        Chart("Calls per day", _daily, table="daily calls", key=False),
    ]
    res.tables = {
        "staffing": table.round({"calls": 2, "traffic": 3, "p_wait": 4, "service_level": 4, "asa_seconds": 2,
                                 "occupancy": 4}),
        "agents by slot": by_slot.reset_index(),
        "calls by slot": calls_slot.reset_index(),
        "daily calls": daily,
    }
    res.notes = [
        f"Data: {len(data):,} intervals from {pd.Timestamp(data['time'].min()).date()} to "
        f"{pd.Timestamp(data['time'].max()).date()}; the forecast averages the last {weeks} weeks up to the "
        "as-of date for each weekday and time slot.",
        "Agents come from the Erlang C formula (crm_lessons.callcenter): calls arrive at random, handle "
        "times are exponential, callers wait in one queue and do not hang up. With abandonment the "
        "formula is slightly pessimistic.",
        f"Rostered staff = agents / (1 - shrinkage), shrinkage {fmt_pct(shrinkage, 0)}; occupancy capped "
        f"at {fmt_pct(max_occupancy, 0)}.",
    ]
    return res
