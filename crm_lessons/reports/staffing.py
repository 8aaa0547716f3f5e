"""Staffing report: call forecast by weekday and time of day, Erlang C agents, rostered staff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons import callcenter
from crm_lessons._validation import CRMInputError
from crm_lessons.reports._text import Text
from crm_lessons.reports.results import Chart, ReportResult

__all__ = ["build", "forecast_by_slot"]

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_DAYS_ZH = dict(zip(_DAYS, ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]))


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


def build(data: pd.DataFrame, *, as_of, lang: str = "en", currency: str = "¥", aht_seconds: float = 300.0,
          target_sl: float = 0.8, answer_seconds: float = 20.0, shrinkage: float = 0.3, max_occupancy: float = 0.85,
          interval_minutes: int = 30, weeks: int = 8) -> ReportResult:
    """Forecast calls per weekday and slot, and the agents Erlang C needs for the target service."""
    tr = Text(lang, currency=currency)
    fc, daily = forecast_by_slot(data, as_of=as_of, interval_minutes=interval_minutes, weeks=weeks)
    staff = callcenter.staffing_table(fc["calls"], interval=interval_minutes * 60, aht=aht_seconds,
                                      target_sl=target_sl, answer_time=answer_seconds, shrinkage=shrinkage,
                                      max_occupancy=max_occupancy)
    table = pd.concat([fc[["weekday", "slot"]], staff.reset_index(drop=True)], axis=1)
    table["days_averaged"] = fc["days"].to_numpy()
    hours = interval_minutes / 60
    peak = table.loc[table["agents"].idxmax()]
    day = (lambda d: _DAYS_ZH[d]) if tr.zh else str
    week_agent_hours = float(table["agents"].sum() * hours)
    week_staff_hours = float(table["staff"].sum() * hours)
    capped = table[(table["agents"] > 0) & (table["occupancy"] >= max_occupancy - 1 / table["agents"].clip(lower=1))]
    faster = callcenter.agents_needed(calls=float(peak["calls"]), interval=interval_minutes * 60,
                                      aht=aht_seconds * 0.9, target_sl=target_sl, answer_time=answer_seconds,
                                      max_occupancy=max_occupancy)
    weekdays = [d for d in _DAYS if d in set(table["weekday"])]
    by_slot = table.pivot(index="slot", columns="weekday", values="agents")[weekdays]
    calls_slot = table.pivot(index="slot", columns="weekday", values="calls")[weekdays]
    by_slot.columns = calls_slot.columns = [day(d) for d in weekdays]
    n_days = int(daily["date"].nunique())
    recent_days = int(fc.groupby("weekday")["days"].first().sum())
    base = tr(f"n = {recent_days:,} days of calls averaged", f"n = {recent_days:,} 天来电的平均")

    def _lines(frame, ylabel):
        def draw(ax):
            frame.plot(ax=ax, marker=".", lw=1)
            ax.set_xlabel(tr("Time of day", "时段"))
            ax.set_ylabel(ylabel)
            ax.legend(title=tr("Weekday", "星期"), ncols=min(len(frame.columns), 4), fontsize="small")
        return draw

    def _daily(ax):
        ax.plot(daily["date"], daily["calls"], lw=1)
        ax.tick_params(axis="x", labelrotation=30)
        ax.set_xlabel(tr("Date", "日期"))
        ax.set_ylabel(tr("Calls per day", "每日来电量"))

    peak_at = f"{day(peak['weekday'])} {peak['slot']}"
    res = ReportResult(title=tr("Contact-centre staffing", "呼叫中心排班"), lang=lang, currency=currency)
    res.key_figures = {
        tr("As-of date", "分析截止日"): tr.date(as_of) if as_of else tr("last date in the data", "数据中的最后一天"),
        tr("Weeks averaged for the forecast", "预测所用的周数"): str(weeks),
        tr("Calls expected per week", "预计每周来电量"): tr.number(table["calls"].sum()),
        tr("Busiest interval", "最忙时段"): tr(f"{peak_at} ({tr.number(peak['calls'])} calls)",
                                           f"{peak_at}（{tr.number(peak['calls'])} 通）"),
        tr("Agents needed at peak", "高峰所需坐席"): tr(f"{int(peak['agents'])} on the phones, {int(peak['staff'])} rostered",
                                                  f"在线 {int(peak['agents'])} 人，排班 {int(peak['staff'])} 人"),
        tr("Service target", "服务目标"): tr(f"{tr.pct(target_sl, 0)} answered within {answer_seconds:g} s "
                                         f"(AHT {aht_seconds:g} s)",
                                         f"{tr.pct(target_sl, 0)} 的来电在 {answer_seconds:g} 秒内接听"
                                         f"（平均处理时长 {aht_seconds:g} 秒）"),
        tr("Agent-hours per week", "每周坐席工时"): tr(
            f"{tr.number(week_agent_hours)} on the phones, {tr.number(week_staff_hours)} rostered "
            f"({tr.pct(shrinkage, 0)} shrinkage)",
            f"在线 {tr.number(week_agent_hours)}，排班 {tr.number(week_staff_hours)}（缩减率 {tr.pct(shrinkage, 0)}）"),
        tr("Mean occupancy", "平均占用率"): tr.pct(np.average(table["occupancy"],
                                                         weights=table["agents"].clip(lower=1e-9))),
    }
    res.figure("calls_week", "Calls per week", "每周来电量", table["calls"].sum())
    res.figure("peak_agents", "Agents at peak", "高峰坐席", peak["agents"])
    res.figure("staff_hours", "Rostered hours per week", "每周排班工时", week_staff_hours)
    res.actions = [
        tr(f"Roster {int(peak['staff'])} staff for {peak_at}, the peak; follow the 'staffing' table interval by "
           "interval rather than one flat headcount.",
           f"高峰 {peak_at} 排班 {int(peak['staff'])} 人；按“staffing”表逐时段排班，而不是全天同一人数。"),
        tr(f"Cutting handle time by 10% would need {int(peak['agents']) - faster} fewer agent(s) at peak: coach on "
           "after-call work and knowledge-base answers.",
           f"处理时长缩短 10%，高峰可少用 {int(peak['agents']) - faster} 名坐席：加强话后处理和知识库的培训。"),
        (tr(f"In {len(capped)} of {len(table)} intervals the occupancy cap ({tr.pct(max_occupancy, 0)}), not the "
            "service target, sets the headcount: there the queue is short but agents run hot; plan breaks and "
            "coaching outside these intervals.",
            f"{len(table)} 个时段中有 {len(capped)} 个由占用率上限（{tr.pct(max_occupancy, 0)}）而非服务目标决定人数："
            "这些时段排队短但坐席负荷高；休息和培训请安排在这些时段之外。") if len(capped) else
         tr(f"The service target, not the occupancy cap ({tr.pct(max_occupancy, 0)}), sets the headcount in every "
            "interval.", f"所有时段的人数都由服务目标而非占用率上限（{tr.pct(max_occupancy, 0)}）决定。")),
        tr("Check the forecast against last weeks' actual calls before publishing the roster.",
           "发布排班前，用最近几周的实际来电核对预测。"),
    ]
    res.charts = [
        Chart(tr("Agents needed by time of day", "各时段所需坐席"), _lines(by_slot, tr("Agents on the phones", "在线坐席")),
              table="agents by slot", base=base),
        Chart(tr("Expected calls by time of day", "各时段预计来电量"),
              _lines(calls_slot, tr(f"Calls per {interval_minutes} min", f"每 {interval_minutes} 分钟来电量")),
              table="calls by slot", base=base),
        Chart(tr("Calls per day", "每日来电量"), _daily, table="daily calls", key=False,
              base=tr(f"n = {n_days:,} days", f"n = {n_days:,} 天")),
    ]
    shown = table.copy()
    shown["weekday"] = [day(d) for d in shown["weekday"]]
    res.tables = {
        "staffing": shown.round({"calls": 2, "traffic": 3, "p_wait": 4, "service_level": 4, "asa_seconds": 2,
                                 "occupancy": 4}),
        "agents by slot": by_slot.reset_index(),
        "calls by slot": calls_slot.reset_index(),
        "daily calls": daily,
    }
    res.formats = {"agents by slot": {str(c): "int" for c in by_slot.columns},
                   "calls by slot": {str(c): "number" for c in calls_slot.columns},
                   "staffing": {"calls": "number"}, "daily calls": {"calls": "int"}}
    res.table_titles = {"staffing": tr("Staffing by interval", "各时段排班"),
                        "agents by slot": tr("Agents by time of day", "各时段坐席"),
                        "calls by slot": tr("Calls by time of day", "各时段来电"),
                        "daily calls": tr("Calls per day", "每日来电")}
    res.notes = [
        tr(f"Data: {len(data):,} intervals from {tr.date(data['time'].min())} to {tr.date(data['time'].max())}; the "
           f"forecast averages the last {weeks} weeks up to the as-of date for each weekday and time slot.",
           f"数据：{len(data):,} 个时段，{tr.date(data['time'].min())} 至 {tr.date(data['time'].max())}；预测取截止日前"
           f"最近 {weeks} 周中每个星期几、每个时段的平均值。"),
        tr("Agents come from the Erlang C formula (crm_lessons.callcenter): calls arrive at random, handle times are "
           "exponential, callers wait in one queue and do not hang up. With abandonment the formula is slightly "
           "pessimistic.",
           "坐席数来自 Erlang C 公式（crm_lessons.callcenter）：来电随机到达，处理时长服从指数分布，来电者在同一队列"
           "等待且不挂断。若有放弃来电，公式略为保守。"),
        tr(f"Rostered staff = agents / (1 - shrinkage), shrinkage {tr.pct(shrinkage, 0)}; occupancy capped at "
           f"{tr.pct(max_occupancy, 0)}.",
           f"排班人数 = 坐席数 / (1 - 缩减率)，缩减率 {tr.pct(shrinkage, 0)}；占用率上限 {tr.pct(max_occupancy, 0)}。"),
    ]
    return res
