"""Tests of crm_lessons.lifecycle (lesson 2.1): hand-made curves and simulated customers with known stages."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.lifecycle import (assign_stages, customer_lifecycle, monthly_activity,
                                   plot_lifecycle_curves, plot_stage_summary, stage_summary)
from crm_lessons.simulate import simulate_lifecycle


def _monthly(customer, spends, start="2023-01"):
    months = pd.period_range(start, periods=len(spends), freq="M")
    return pd.DataFrame({"customer_id": customer, "date": months.to_timestamp() + pd.Timedelta(days=9),
                         "amount": spends})


@pytest.fixture
def curves():
    """Four hand-made customers, one per stage, all observed to 2024-12."""
    rise = [40.0, 40.0] + list(np.linspace(80, 320, 10))           # 12 months, rising
    parts = [
        _monthly(1, [40.0, 40.0], start="2024-11"),                     # 2 months old
        _monthly(2, rise, start="2024-01"),                             # rising until now
        _monthly(3, [40.0, 40.0, 150, 250] + [300.0] * 20),             # flat for 20 months
        _monthly(4, [40.0, 40.0, 150, 250] + [300.0] * 14 + [250, 200, 160, 120, 90, 60]),
    ]
    return pd.concat(parts, ignore_index=True)


def test_stages_of_hand_made_curves(curves):
    st = assign_stages(curves)
    assert st["stage"].astype(str).tolist() == ["exploration", "formation", "stability", "decline"]
    assert st["stage_zh"].tolist() == ["考察期", "形成期", "稳定期", "退化期"]
    assert st["tenure"].tolist() == [2, 12, 24, 24]
    # customer 4: recent 6 months mean 146.67, earlier 6 months 300, peak 300
    assert st.loc[4, "recent"] == pytest.approx(880 / 6)
    assert st.loc[4, "level"] == pytest.approx(880 / 6 / 300)
    assert st.loc[4, "growth"] == pytest.approx((880 / 6 - 300) / 300)


def test_as_of_replays_the_past(curves):
    # Customer 4 was stable before the fall began, and in formation early on.
    assert assign_stages(curves, as_of="2024-06-30").loc[4, "stage"] == "stability"
    assert assign_stages(curves, as_of="2023-07-31").loc[4, "stage"] == "formation"
    assert 1 not in assign_stages(curves, as_of="2024-06-30").index   # not yet a customer


def test_monthly_activity_fills_gaps_with_zero():
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-03", "2024-04-03"]),
                       "amount": [5.0, 7.0]})
    act = monthly_activity(tx)
    assert act.loc[1].tolist() == [5.0, 0.0, 0.0, 7.0]


@pytest.mark.parametrize("seed", [3, 8])
def test_recovers_true_stages_of_simulated_customers(seed):
    data, truth = simulate_lifecycle(1500, seed=seed)
    true = truth["customers"].set_index("customer_id")["stage"]
    st = assign_stages(data)
    accuracy = (st["stage"].astype(str) == true.reindex(st.index)).mean()
    assert accuracy > 0.8, accuracy
    # every stage recovered in most cases (recall per stage)
    recall = (st["stage"].astype(str) == true.reindex(st.index)).groupby(true.reindex(st.index)).mean()
    assert (recall > 0.6).all(), recall
    assert recall["exploration"] == 1.0


def test_volume_and_profit_rise_with_the_relationship():
    data, _ = simulate_lifecycle(1500, seed=4)
    st = assign_stages(data)
    s = stage_summary(data, st)
    assert s["customers"].sum() == len(st)
    assert s["share"].sum() == pytest.approx(1)
    # Course: the higher the relationship level, the larger the volume and the profit.
    assert s.loc["exploration", "spend_per_period"] < s.loc["formation", "spend_per_period"] \
        < s.loc["stability", "spend_per_period"]
    assert s.loc["decline", "spend_per_period"] < s.loc["stability", "spend_per_period"]
    assert s["profit_per_period"].idxmax() == "stability"
    assert s.loc["exploration", "profit_per_period"] < s.loc["formation", "profit_per_period"]
    # independent recount of one cell
    last3 = data[data["date"] >= "2024-10-01"]
    stab = st.index[st["stage"] == "stability"]
    expected = last3[last3.customer_id.isin(stab)].amount.sum() / 3 / len(stab)
    assert s.loc["stability", "spend_per_period"] == pytest.approx(expected)


def test_customer_lifecycle_by_hand():
    tx = pd.DataFrame({
        "customer_id": [1, 2, 2, 3, 3, 4],
        "category": ["loan", "deposit", "card", "deposit", "deposit", "card"],
        "date": pd.to_datetime(["2024-05-01", "2022-01-01", "2024-04-01", "2022-01-01", "2024-05-01",
                                "2024-09-01"]),
    })
    cust = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5]})
    out = customer_lifecycle(tx, "2024-06-30", customers=cust)
    assert out["stage"].astype(str).tolist() == ["new", "new-business", "old", "potential", "potential"]
    assert out.loc[2, "latest_new_line"] == pd.Timestamp("2024-04-01")
    # A year later the new-business customer is an old customer again.
    later = customer_lifecycle(tx, "2025-06-30", customers=cust)
    assert later.loc[2, "stage"] == "old" and later.loc[4, "stage"] == "old"
    assert customer_lifecycle(tx, "2024-06-30", category_col=None).loc[2, "stage"] == "old"


def test_plots(curves):
    import matplotlib.pyplot as plt
    st = assign_stages(curves)
    ax = plot_lifecycle_curves(curves, [2, 3, 4], stages=st)
    assert len(ax.get_lines()) == 3
    ax = plot_stage_summary(stage_summary(curves, st, profit_col=None))
    assert ax.get_title().startswith("Transaction volume")
    plt.close("all")
    with pytest.raises(CRMInputError, match="99 has no purchases"):
        plot_lifecycle_curves(curves, [99])


def test_bad_inputs_give_clear_messages(curves):
    with pytest.raises(CRMInputError, match=r"column 'spend' \(given as amount_col\) is missing"):
        assign_stages(curves, amount_col="spend")
    with pytest.raises(CRMInputError, match="argument `decline_level`: must be > 0 and < 1; found 1.5"):
        assign_stages(curves, decline_level=1.5)
    with pytest.raises(CRMInputError, match="argument `window`: must be >= 1; found 0"):
        assign_stages(curves, window=0)
    with pytest.raises(CRMInputError, match="argument `freq`: must be a pandas period alias"):
        assign_stages(curves, freq="moon")
    with pytest.raises(CRMInputError, match=r"column 'amount' \(amount_col\), row 0: values must be numbers"):
        assign_stages(curves.assign(amount="lots"))
    with pytest.raises(CRMInputError, match=r"column 'profit' \(given as profit_col\) is missing"):
        stage_summary(curves, assign_stages(curves))
    with pytest.raises(CRMInputError, match="argument `stage_probs`: needs 4 shares"):
        simulate_lifecycle(10, stage_probs=(0.5, 0.5))


def test_a_first_purchase_of_amount_zero_starts_the_relationship():
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-03", "2024-03-03"]),
                       "amount": [0.0, 7.0]})
    assert monthly_activity(tx).loc[1].tolist() == [0.0, 0.0, 7.0]
    assert assign_stages(tx, exploration_periods=2).loc[1, "tenure"] == 3


def test_exit_patterns_by_hand():
    """Seed item A43: ended relationships classified by the stage at their last purchase.

    Hand calculation, window 2, exploration 1 period, rolling means over 2 months with min_periods 1:
    c1 one month -> tenure 1 <= 1: exploration -> early termination (早期流产型).
    c2 10, 10, 30, 30 -> recent 30, earlier 10, peak 30: level 1, growth 20/30 = 0.67 >= 0.3: formation.
    c3 20 x 6 -> recent = earlier = peak = 20: level 1, growth 0: stability (as of December it would be decline).
    c4 40, 40, 40, 10 -> recent 25, earlier 40, peak 40: level 0.625 < 0.7: decline -> long-lasting.
    c5 bought in December: not ended (fewer than 180 days before 2024-12-31).
    """
    from crm_lessons.lifecycle import exit_patterns
    tx = pd.concat([_monthly(1, [10.0], start="2024-01"), _monthly(2, [10.0, 10, 30, 30], start="2024-01"),
                    _monthly(3, [20.0] * 6, start="2024-01"), _monthly(4, [40.0, 40, 40, 10], start="2024-01"),
                    _monthly(5, [10.0, 10], start="2024-11")], ignore_index=True)
    out = exit_patterns(tx, "2024-12-31", window=2, exploration_periods=1)
    assert out.index.tolist() == [1, 2, 3, 4]
    assert out["tenure"].tolist() == [1, 4, 6, 4]
    assert out["exit_stage"].astype(str).tolist() == ["exploration", "formation", "stability", "decline"]
    assert out["pattern_zh"].tolist() == ["早期流产型", "中途夭折型", "提前退出型", "长久保持型"]
    assert out["last_purchase"].tolist() == list(pd.to_datetime(["2024-01-10", "2024-04-10", "2024-06-10",
                                                                  "2024-04-10"]))
    # as of the end the stage rule sees c3 in decline: the exit stage is not today's stage
    assert str(assign_stages(tx, as_of="2024-12-31", window=2, exploration_periods=1).loc[3, "stage"]) == "decline"
    # a shorter lapse window ends c5 too; a longer one ends nobody
    assert 5 in exit_patterns(tx, "2024-12-31", lapse_days=10).index
    assert exit_patterns(tx, "2024-12-31", lapse_days=400).empty
    with pytest.raises(CRMInputError, match="lapse_days"):
        exit_patterns(tx, "2024-12-31", lapse_days=0)
