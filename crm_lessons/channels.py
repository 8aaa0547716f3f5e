"""Channels, touchpoints and communication (渠道、接触点与沟通).

Lesson 5.2. The slides make channel integration the first core of CRM: face to face, call centre, e-mail,
web, fax/mail, WAP and PDA on one platform (the slides, C53). Channel maps compare the current and the
future channels (C35); the new car-industry map crosses customer types with the steps inform, interact,
transact, deliver and service (C36). Key touchpoints fall in four categories with the CRM capabilities
each needs (C37). The MBA chapter asks for the lowest cost of contacting and serving customers and a record
of every contact (D21); the training outline adds social media and online–offline integration (E25).
The slides' communication styles and their walk-around checklist (C50–C52) close the lesson.

This module computes:

- a **channel × step cost matrix** from contact records (:func:`cost_matrix`) and the **cost to serve** by
  customer type (:func:`cost_to_serve`);
- a **channel-migration scenario** (:func:`migration_scenario`): move a share of one channel's contacts to
  another and see cost (including the repeat contacts that a lower first-contact resolution causes) and
  satisfaction;
- a **touchpoint inventory** summary (:func:`touchpoint_gaps`) and a rule-based **walk-around check** of
  messages (:func:`walkaround_check`).

Examples
--------
>>> c = pd.DataFrame({"channel": ["branch", "branch", "online"], "step": ["inform", "service", "inform"],
...                   "cost": [40.0, 70.0, 1.0]})
>>> cost_matrix(c)
step     inform  service
channel
branch     40.0     70.0
online      1.0      NaN
"""

from __future__ import annotations

import pandas as pd

from crm_lessons._validation import CRMInputError, check_choice, check_dataframe, check_number, require_columns
from crm_lessons.tables import TICKETS, Column

__all__ = ["CAR_CHANNEL_MAP", "CHANNEL_MAPS", "CHANNELS", "COMMUNICATION_STYLES", "TOUCHPOINTS",
           "TOUCHPOINT_CATEGORIES", "WALKAROUND", "cost_matrix", "cost_to_serve", "migration_scenario",
           "touchpoint_gaps", "walkaround_check"]

#: The channels the slides integrate on one platform (C53), and B04's "phone, fax, web".
CHANNELS = pd.DataFrame({
    "channel": ["Face to Face", "Call Center", "Email", "Web", "Fax/Mail", "WAP", "PDA"],
    "zh": ["面对面 (门店/网点)", "呼叫中心", "电子邮件", "网站", "传真/信函", "无线应用 (手机上网)", "掌上电脑"],
    "today": ["branch, store, sales visit", "phone and call centre", "e-mail", "web site, app", "fax, letters",
              "mobile web (today: the app)", "handheld (today: smartphone)"],
})

#: The two channel maps and their use (C35).
CHANNEL_MAPS = pd.DataFrame({
    "map": ["current map (現狀地圖)", "future map (未來地圖)"],
    "shows": ["the existing channel firms and how they relate",
              "every possible change of the channels, with new relations, roles and interactions: the firm's "
              "vision of its channels"],
    "use": ["compare the two maps to find where to draw the front line of channel reform",
            "... and where channel conflict will be fiercest"],
})

#: The slides' new car-industry channel map (C36): customer types and steps; the channel names the map
#: shows. Which channel sits in which cell is not legible in the source.
CAR_CHANNEL_MAP = {
    "customer_types": ["传统 (traditional)", "便利科技 (convenience/tech)", "企业 (corporate)",
                       "寻求特别款式者 (special-model seekers)"],
    "steps": ["告知 (inform)", "互动 (interact)", "交易 (transact)", "送货 (deliver)", "服务 (service)"],
    "channels": ["代理商店面 (dealer showroom)", "传统商品代理商 (traditional dealer)", "直接销售 (direct sales)",
                 "新兴媒体广告公司 (new-media agency)", "OEM直接线上销售 (maker's direct online sales)",
                 "线上汽车网站 (online car site)", "线上代理商 (online dealer)", "OEM业务人员 (maker's sales staff)",
                 "传统广告公司 (traditional agency)"],
}

#: Touchpoint categories (C37).
TOUCHPOINT_CATEGORIES = pd.DataFrame({
    "category_zh": ["建立关系", "事前经验", "使用经验", "维系关系"],
    "category": ["relationship building", "pre-experience", "use experience", "keeping the relationship"],
}).set_index("category")

#: An illustrative touchpoint inventory for a car dealer (the lesson's example, not the slides'): each
#: touchpoint with its category (C37), channel, owner, the CRM capability it needs and whether it is in place.
TOUCHPOINTS = pd.DataFrame([
    ("advertising and social media posts", "relationship building", "online", "marketing",
     "campaign tracking by source", True),
    ("showroom visit", "relationship building", "branch", "sales", "record every visitor in the CRM", False),
    ("web configurator and price request", "pre-experience", "online", "e-commerce", "lead hand-over to sales",
     False),
    ("test drive booking by phone", "pre-experience", "phone", "call centre", "one customer view at the call",
     True),
    ("contract and financing", "pre-experience", "branch", "sales", "credit check", True),
    ("delivery of the car", "use experience", "branch", "logistics", "delivery tracking shared with the customer",
     False),
    ("service appointment", "use experience", "online", "after-sales", "online booking tied to service history",
     True),
    ("breakdown call", "use experience", "phone", "call centre", "contact history and first-contact resolution",
     True),
    ("birthday and event invitations", "keeping the relationship", "email", "CRM team", "segmented mailing",
     True),
    ("renewal offer before the lease ends", "keeping the relationship", "phone", "sales", "contract-end alerts",
     False),
], columns=["touchpoint", "category", "channel", "owner", "capability", "in_place"])

#: The slides' communication styles (C50, C51): typical phrases and how others see the person. The slides
#: give two styles (labelled by the lesson A and B after the walk-around's letters) and do not name the model.
#: The identification with Herrmann's whole-brain model (HBDI: A analytical, B organised, C interpersonal,
#: D imaginative) is the lesson's, not the slides'.
COMMUNICATION_STYLES = pd.DataFrame({
    "style": ["A (analytical, in Herrmann's terms)", "B (organised, in Herrmann's terms)"],
    "typical_phrases": ["“一样样拆开来” “批判式分析” “要点” “知道底线在哪里”",
                        "依照惯例, 养成习惯, 法律和秩序, 安全第一, 自率精神, 顺序, 我们一直都是这么做的"],
    "seen_by_others_as": ["“工于心计” “冷若冰霜” “不懂得关心别人” “数字机器”", "(not legible in the source)"],
})

#: The walk-around checklist (沟通环走模型, C52): the questions the slides give for quadrants B and C.
#: Quadrants A and D are not in the source.
WALKAROUND = pd.DataFrame([
    ("B", "details", "是不是举出细节呢?", "does it give details?"),
    ("B", "order", "是不是有先后顺序呢?", "is there an order (first, then)?"),
    ("B", "concise", "是不是简单利落呢?", "is it short and neat?"),
    ("B", "format", "是不是有清楚明了的格式呢?", "is the format clear?"),
    ("C", "shared experience", "是不是引用到与听众引起共鸣的经验呢?", "does it use an experience the listener shares?"),
    ("C", "example", "是不是用例子去说明要点呢?", "does it explain the point with an example?"),
    ("C", "useful", "是不是有所助益,对使用者有利?", "is it useful, good for the user?"),
    ("C", "emotions", "是不是注意到情绪方面的事呢?", "does it attend to feelings?"),
], columns=["quadrant", "question", "zh", "en"])

#: The lesson's rules for :func:`walkaround_check` (regular expressions; a teaching device, not the slides').
WALKAROUND_RULES = {
    "details": r"\d",
    "order": r"(?:^|\n)\s*(?:\d+[.、)]|[-•])|首先|第一|然后|最后|first|then|finally",
    "concise": None,                                        # at most `max_chars` characters
    "format": r"\n|•|；|;|:|：",
    "shared experience": r"和您一样|像您|很多客户|我们都|您也|like you|many customers",
    "example": r"例如|比如|举例|for example|e\.g\.",
    "useful": r"为您|帮您|对您|节省|方便|save|help you",
    "emotions": r"放心|担心|理解您|抱歉|高兴|感谢|worry|sorry|glad|understand",
}

CONTACTS = TICKETS.extend(
    Column("channel", "channel", "category", doc="contact channel"),
    Column("step", "step", "category", doc="step of the customer's journey (告知/互动/交易/送货/服务)"),
    Column("type", "customer_type", "category", doc="customer type"),
    Column("cost", "cost", "number", min=0, doc="cost of the contact"),
    Column("satisfaction", "satisfaction", "number", doc="satisfaction with the contact"),
)


def cost_matrix(contacts: pd.DataFrame, *, channel_col: str = "channel", step_col: str = "step",
                cost_col: str = "cost", stat: str = "mean") -> pd.DataFrame:
    """Channel × step matrix of contact cost: the mean (unit cost), the total or the number of contacts.

    Parameters
    ----------
    contacts : DataFrame
        One row per contact.
    channel_col, step_col, cost_col : str
        Column names.
    stat : {"mean", "sum", "count"}, default "mean"
        Mean cost per contact (estimates the unit cost), total cost, or number of contacts.

    Returns
    -------
    DataFrame
        Channels as rows, steps as columns (NaN where no contact was made).

    Examples
    --------
    >>> c = pd.DataFrame({"channel": ["phone", "phone"], "step": ["service", "service"], "cost": [10.0, 14.0]})
    >>> float(cost_matrix(c).loc["phone", "service"]), float(cost_matrix(c, stat="sum").loc["phone", "service"])
    (12.0, 24.0)
    """
    t = CONTACTS.read(contacts, arg="contacts", channel_col=channel_col, step_col=step_col, cost_col=cost_col)
    check_choice(stat, "stat", ["mean", "sum", "count"])
    out = t.pivot_table(index="channel", columns="step", values="cost", aggfunc=stat, observed=True)
    out.index.name, out.columns.name = "channel", "step"
    return out


def cost_to_serve(contacts: pd.DataFrame, *, by: str = "customer_type", customer_col: str = "customer_id",
                  channel_col: str = "channel", cost_col: str = "cost") -> pd.DataFrame:
    """Cost to serve (服务成本) per customer, and the channel mix, by customer type (or any column).

    Parameters
    ----------
    contacts : DataFrame
        One row per contact.
    by : str, default "customer_type"
        Column to group customers by.
    customer_col, channel_col, cost_col : str
        Column names.

    Returns
    -------
    DataFrame
        Per group: ``customers`` (with at least one contact), ``contacts``, ``contacts_per_customer``,
        ``cost``, ``cost_per_customer`` and one ``share_<channel>`` column per channel.

    Examples
    --------
    >>> c = pd.DataFrame({"customer_id": [1, 1, 2], "customer_type": ["a", "a", "b"],
    ...                   "channel": ["branch", "online", "online"], "cost": [40.0, 2.0, 3.0]})
    >>> cost_to_serve(c)[["customers", "cost_per_customer", "share_branch"]]
                   customers  cost_per_customer  share_branch
    customer_type
    a                      1               42.0           0.5
    b                      1                3.0           0.0
    """
    t = CONTACTS.read(contacts, arg="contacts", customer_col=customer_col, channel_col=channel_col,
                      cost_col=cost_col, keep=(by,) if by not in (customer_col, channel_col, cost_col) else ())
    g = t.groupby(by, observed=True)
    out = pd.DataFrame({"customers": g["customer_id"].nunique(), "contacts": g.size(), "cost": g["cost"].sum()})
    out["contacts_per_customer"] = out["contacts"] / out["customers"]
    out["cost_per_customer"] = out["cost"] / out["customers"]
    shares = pd.crosstab(t[by], t["channel"], normalize="index")
    for ch in shares.columns:
        out[f"share_{ch}"] = shares[ch].reindex(out.index).fillna(0.0)
    out.index.name = by
    return out[["customers", "contacts", "contacts_per_customer", "cost", "cost_per_customer",
                *[c for c in out.columns if c.startswith("share_")]]]


def migration_scenario(contacts: pd.DataFrame, *, from_channel: str, to_channel: str, share: float = 0.2,
                       channel_col: str = "channel", cost_col: str = "cost",
                       satisfaction_col: str = "satisfaction",
                       fcr_col: str = "first_contact_resolved") -> pd.DataFrame:
    """Cost and satisfaction before and after moving a share of one channel's contacts to another.

    Parameters
    ----------
    contacts : DataFrame
        One row per contact (an issue's first contact).
    from_channel, to_channel : str
        Channel the contacts leave and channel they move to.
    share : float, default 0.2
        Share of ``from_channel``'s contacts that move.
    channel_col, cost_col, satisfaction_col, fcr_col : str
        Column names; ``fcr_col`` flags a contact that resolved the issue at once.

    Returns
    -------
    DataFrame
        Rows ``before``, ``after`` and ``change``; columns ``contacts``, ``cost`` (first contacts),
        ``cost_with_repeats``, ``mean_satisfaction`` and ``fcr_rate``. Each channel's mean cost, mean
        satisfaction and first-contact resolution (FCR) are estimated from ``contacts``; moved contacts take
        the new channel's means.

    Notes
    -----
    An issue that is not resolved at first contact comes back through the same channel until it is, so an
    issue costs :math:`c_k / \\text{FCR}_k` on channel *k* (a geometric number of contacts with mean
    :math:`1/\\text{FCR}_k`). With :math:`n_k` issues per channel and a share *s* moved from *a* to *b*:

    .. math:: C_\\text{after} = C_\\text{before} - s\\, n_a \\left(\\frac{c_a}{F_a} - \\frac{c_b}{F_b}\\right),
              \\qquad \\bar S_\\text{after} = \\bar S_\\text{before} - \\frac{s\\, n_a (S_a - S_b)}{\\sum_k n_k}.

    The scenario assumes the moved contacts behave like the new channel's present contacts; customers who
    choose a channel may differ from those who are moved to it.

    Examples
    --------
    >>> c = pd.DataFrame({"channel": ["branch"] * 10 + ["online"] * 10, "cost": [50.0] * 10 + [2.0] * 10,
    ...                   "satisfaction": [4.0] * 10 + [3.0] * 10, "first_contact_resolved": [True] * 20})
    >>> migration_scenario(c, from_channel="branch", to_channel="online", share=0.5)[["cost", "mean_satisfaction"]]
             cost  mean_satisfaction
    before  520.0               3.50
    after   280.0               3.25
    change -240.0              -0.25
    """
    t = CONTACTS.read(contacts, arg="contacts", channel_col=channel_col, cost_col=cost_col,
                      satisfaction_col=satisfaction_col, fcr_col=fcr_col)
    check_number(share, "share", min_value=0, max_value=1)
    found = sorted(map(str, pd.unique(t["channel"])))
    for name, ch in (("from_channel", from_channel), ("to_channel", to_channel)):
        if ch not in set(t["channel"]):
            raise CRMInputError(f"argument `{name}`: no contacts through channel {ch!r}; found channels {found}. "
                                f"Pass one of them.")
    g = t.groupby("channel", observed=True)
    per = pd.DataFrame({"n": g.size(), "cost": g["cost"].mean(), "sat": g["satisfaction"].mean(),
                        "fcr": g["first_contact_resolved"].mean()})
    if (per.loc[[from_channel, to_channel], "fcr"] == 0).any():
        raise CRMInputError(f"argument `contacts`, column '{fcr_col}' (fcr_col): a channel of the scenario "
                            f"resolves no contact at first contact; found FCR {per['fcr'].round(3).to_dict()}. "
                            f"Repeat costs are infinite: check the column.")
    after = per["n"].astype(float).copy()
    moved = share * after[from_channel]
    after[from_channel] -= moved
    after[to_channel] += moved

    def totals(n):
        return {"contacts": float(n.sum()), "cost": float((n * per["cost"]).sum()),
                "cost_with_repeats": float((n * per["cost"] / per["fcr"].where(per["fcr"] > 0)).sum(min_count=1)),
                "mean_satisfaction": float((n * per["sat"]).sum() / n.sum()),
                "fcr_rate": float((n * per["fcr"]).sum() / n.sum())}

    out = pd.DataFrame([totals(per["n"].astype(float)), totals(after)], index=["before", "after"])
    out.loc["change"] = out.loc["after"] - out.loc["before"]
    return out


def touchpoint_gaps(inventory: pd.DataFrame, *, category_col: str = "category",
                    in_place_col: str = "in_place") -> pd.DataFrame:
    """Touchpoints per category and the share whose CRM capability is in place (the gaps to close).

    Parameters
    ----------
    inventory : DataFrame
        One row per touchpoint (e.g. :data:`TOUCHPOINTS`), with a category and a yes/no flag saying whether
        the capability it needs is in place.
    category_col, in_place_col : str
        Column names.

    Returns
    -------
    DataFrame
        Per category (in the order of :data:`TOUCHPOINT_CATEGORIES` where they match): ``touchpoints``,
        ``in_place``, ``gaps`` and ``share_in_place``.

    Examples
    --------
    >>> touchpoint_gaps(TOUCHPOINTS)["gaps"].tolist()
    [1, 1, 1, 1]
    """
    check_dataframe(inventory, arg="inventory")
    require_columns(inventory, {"category_col": category_col, "in_place_col": in_place_col}, arg="inventory")
    t = TICKETS.extend(Column("in_place", "in_place", "flag"), Column("category", "category", "category")).read(
        inventory, arg="inventory", category_col=category_col, in_place_col=in_place_col)
    g = t.groupby("category", sort=False)
    out = pd.DataFrame({"touchpoints": g.size(), "in_place": g["in_place"].sum().astype(int)})
    order = [c for c in TOUCHPOINT_CATEGORIES.index if c in out.index]
    out = out.loc[order + [c for c in out.index if c not in order]]
    out["gaps"] = out["touchpoints"] - out["in_place"]
    out["share_in_place"] = out["in_place"] / out["touchpoints"]
    out.index.name = category_col
    return out


def walkaround_check(messages, *, max_chars: int = 120) -> pd.DataFrame:
    """Check messages against the walk-around questions of quadrants B and C with simple text rules.

    Parameters
    ----------
    messages : list of str or Series
        The messages to check.
    max_chars : int, default 120
        Longest message counted as concise (简单利落).

    Returns
    -------
    DataFrame
        One row per message: a True/False column per question of :data:`WALKAROUND`, then ``B_score`` and
        ``C_score`` (questions met, 0–4 each).

    Notes
    -----
    The rules (:data:`WALKAROUND_RULES`: digits for details, numbered lines or 首先/然后 for order, line
    breaks or semicolons for format, 例如/比如 for an example, 为您/节省 for use, 放心/抱歉 for feelings...) are
    the lesson's crude stand-ins for a reader's judgement; they show the checklist, not a validated scale.

    Examples
    --------
    >>> walkaround_check(["您好,例如上周很多客户和您一样担心费用,我们为您节省了20%。"])[["B_score", "C_score"]]
       B_score  C_score
    0        2        4
    """
    texts = pd.Series(messages, dtype=object) if not isinstance(messages, pd.Series) else messages
    if texts.isna().any() or not all(isinstance(m, str) for m in texts):
        raise CRMInputError("argument `messages`: must be a list of texts; found a missing or non-text value. "
                            "Pass e.g. ['您好, ...', '...'].")
    check_number(max_chars, "max_chars", min_value=1, integer=True)
    out = pd.DataFrame(index=texts.index)
    for q, pattern in WALKAROUND_RULES.items():
        out[q] = (texts.str.len() <= max_chars) if pattern is None else texts.str.contains(pattern, case=False,
                                                                                             regex=True)
    b = WALKAROUND.loc[WALKAROUND["quadrant"] == "B", "question"].tolist()
    c = WALKAROUND.loc[WALKAROUND["quadrant"] == "C", "question"].tolist()
    out["B_score"] = out[b].sum(axis=1).astype(int)
    out["C_score"] = out[c].sum(axis=1).astype(int)
    return out
