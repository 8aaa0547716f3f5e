"""Rule tables of lesson 2.5 (客户价值细分): the segment names, their Chinese
names and the course's management strategies, kept as data so that a reader
(or an analyst adapting the lesson) can print, change and pass them back.

Public names are re-exported by :mod:`crm_lessons.segmentation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "RFM_SEGMENTS", "RFM_CLASSES", "VALUE_MATRIX_CLASSES", "PYRAMID_TIERS_ZH",
    "LOYALTY_QUADRANTS", "RESTAURANT_RULES", "RESTAURANT_PRIVILEGES",
]

_NAN = np.nan

#: The R x F segment map on 5-point scores (checked in order, first match wins).
#: It covers all 25 cells of the R x F grid; M is not used by the map (it is
#: shown as colour in :func:`crm_lessons.segmentation.plot_rfm_heatmap` and in
#: the eight R/F/M classes of :data:`RFM_CLASSES`).
RFM_SEGMENTS = pd.DataFrame(
    [
        ("Champions", "冠军客户", 5, 5, 4, 5, "bought recently and often: reward, ask for referrals, early access"),
        ("Loyal customers", "忠诚客户", 3, 4, 4, 5, "buy often: up-sell, loyalty programme"),
        ("Potential loyalists", "潜在忠诚客户", 4, 5, 2, 3, "recent, a few purchases: membership, recommendations"),
        ("New customers", "新客户", 5, 5, 1, 1, "first purchase just now: onboarding, second-purchase offer"),
        ("Promising", "有潜力客户", 4, 4, 1, 1, "recent single buyers: build awareness, free trials"),
        ("Need attention", "需要关注客户", 3, 3, 3, 3, "average on both: limited-time offers based on history"),
        ("About to sleep", "即将沉睡客户", 3, 3, 1, 2, "slipping away: reactivate with relevant products"),
        ("Can't lose them", "不能失去的客户", 1, 2, 5, 5, "were the best buyers, now silent: win back personally"),
        ("At risk", "有流失风险客户", 1, 2, 3, 4, "bought often long ago: personalised win-back, renewals"),
        ("Lost", "流失客户", 1, 1, 1, 1, "one purchase, long ago: ignore or low-cost reactivation"),
        ("Hibernating", "休眠客户", 1, 2, 1, 2, "few purchases, long ago: low-cost reminders only"),
    ],
    columns=["segment", "segment_zh", "r_min", "r_max", "f_min", "f_max", "action"],
)

#: The eight R/F/M classes (high = score above the mean score of all customers).
RFM_CLASSES = pd.DataFrame(
    [
        (True, True, True, "Important value", "重要价值客户", "keep them: VIP service, personal contact"),
        (True, False, True, "Important development", "重要发展客户", "raise frequency: membership, bundles"),
        (False, True, True, "Important retention", "重要保持客户", "frequent big spenders gone quiet: call them back"),
        (False, False, True, "Important win-back", "重要挽留客户", "big but rare and not recent: win back"),
        (True, True, False, "General value", "一般价值客户", "active small spenders: up-sell"),
        (True, False, False, "General development", "一般发展客户", "new small buyers: encourage repeat"),
        (False, True, False, "General retention", "一般保持客户", "frequent small spenders going quiet: reminders"),
        (False, False, False, "General win-back", "一般挽留客户", "low on all three: low-cost contact only"),
    ],
    columns=["r_high", "f_high", "m_high", "rfm_class", "rfm_class_zh", "action"],
)

#: The course's customer value matrix (客户价值细分矩阵): current value x growth
#: potential, four classes and their management strategies (管理对策). The
#: four classes stacked by value form the course's customer pyramid; the
#: layer names follow Zeithaml, Rust & Lemon (2001).
VALUE_MATRIX_CLASSES = pd.DataFrame(
    [
        ("I", "I类客户", False, False, "lead (铅质)",
         "least attractive: serve at low cost (self-service, standard offers); do not invest in the relationship"),
        ("II", "II类客户", False, True, "iron (铁质)",
         "low value now, room to grow: invest selectively to develop the relationship (cross-sell, up-sell, referral rewards)"),
        ("III", "III类客户", True, False, "gold (黄金)",
         "valuable but little room to grow: keep the relationship (service quality, protection from competitors) without heavy extra spend"),
        ("IV", "IV类客户", True, True, "platinum (白金)",
         "most valuable: invest most, keep and grow the relationship (account manager, customised offers)"),
    ],
    columns=["value_class", "value_class_zh", "high_value", "high_potential", "pyramid_layer", "strategy"],
)

#: Chinese names of the default customer-pyramid tiers (the MBA chapter: 1% / 4% / 15% / 80%).
PYRAMID_TIERS_ZH = {"VIP": "VIP客户", "Main": "主要客户", "Ordinary": "普通客户", "Small": "小客户"}

#: HSBC's loyalty x value quadrants (the MBA chapter; Reinartz & Kumar 2002).
LOYALTY_QUADRANTS = pd.DataFrame(
    [
        ("True friends", "知己型客户", True, True,
         "many active accounts, refer others, large cash flow: reward them, keep in touch consistently but not too often"),
        ("Butterflies", "蝴蝶型客户", False, True,
         "big business, price-sensitive, will not stay: enjoy them while they last, no loyalty spending"),
        ("Barnacles", "藤壶型客户", True, False,
         "loyal but small transactions: find whether the wallet or only our share is small; cross-sell or serve more cheaply"),
        ("Strangers", "过客型客户", False, False,
         "small and not loyal: make money on every transaction, no relationship investment"),
    ],
    columns=["quadrant", "quadrant_zh", "high_loyalty", "high_value", "strategy"],
)

#: Customer grading of the 富丽华·华膳楼 restaurant (the slides), checked in order.
#: Seed values: 6+ visits a month for both A grades, 4+ for B; monthly spend
#: 5000+ (A quality) and 4500+ (A active); spend per head 80-100 (A quality),
#: 60-80 (A active), 50-70 (B). The seed's table is cut off for B's monthly
#: spend and for C; the lesson assumes 1500 for B and makes C the default.
RESTAURANT_RULES = pd.DataFrame(
    [
        ("A quality", "A级品质客户", 6.0, 5000.0, 80.0),
        ("A active", "A级活跃客户", 6.0, 4500.0, 60.0),
        ("B", "B级客户", 4.0, 1500.0, 50.0),
        ("C", "C级客户", _NAN, _NAN, _NAN),
    ],
    columns=["tier", "tier_zh", "min_monthly_visits", "min_monthly_spend", "min_spend_per_head"],
)

#: Privileges of the A grade (等级特权维护, the slides) and what each costs.
RESTAURANT_PRIVILEGES = pd.DataFrame(
    [
        ("GM greets the guest in person at every visit", "总经理全程关注, 当面问候", 0.0),
        ("sales manager phones every 3 days, visits every 10 days", "销售经理每三天电话拜访, 每十天当面拜访", 0.0),
        ("gift on birthdays and anniversaries", "生日、结婚纪念日赠送价值100元礼物", 100.0),
        ("GM hosts a dinner every 3-6 months", "3-6个月总经理宴请 (成本700元/桌)", 700.0),
        ("VIP WeChat group", "VIP客户专属微信群", 0.0),
        ("discount down to 85% (not drinks, seafood, set menus)", "最低折让权限8.5折", _NAN),
    ],
    columns=["privilege", "privilege_zh", "cost_yuan"],
)
