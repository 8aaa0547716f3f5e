"""CRM Lessons: the helpers behind the lessons of the customer relationship management course (客户关系管理).

One module per concept of the course; a lesson's first code cell imports its module.

====================  ===================================================================  =============
module                concept                                                              lesson
====================  ===================================================================  =============
``relationships``     customers, relationship status, formation ladder, levels             1.1, 2.1
``clv``               retention economics, customer lifetime value (客户终身价值), equity  1.2, 2.3, 2.4
``replenishment``     the rice-shop (王永庆卖米) replenishment model                       1.3
``kpis``              more, longer, deeper (多、久、深) KPIs                               1.4
``lifecycle``         relationship lifecycle stages (客户关系生命周期)                     2.1
``delivered_value``   customer delivered value (客户让渡价值)                              2.2
``customer_summary``  frequency / recency / T / monetary value per customer                2.3, 2.4
``purchase_models``   BG/NBD and Pareto/NBD purchase models                                2.3, 2.4
``spend_model``       Gamma-Gamma spend model (客单价)                                     2.3, 2.4
``segmentation``      customer value segmentation (客户价值细分), RFM                      2.5
``satisfaction``      satisfaction (客户满意度): gaps, CSAT, NPS, IPA, drivers             3.1
``loyalty``           loyalty (客户忠诚): indicators, switching, loyalty types             3.2
``retention``         retention (客户保持): cohorts, Kaplan-Meier, sBG                     3.3
``churn``             churn (客户流失): measures, prediction, early warning                3.4
``selection``         choosing customers (客户的选择): whale curve, scorecards             4.1
``acquisition``       prospecting methods and acquisition cost (寻找客户)                  4.2
``campaigns``         targeted campaigns (精准营销): break-even, mailing depth             4.3
``differentiation``   IDIC and the customer difference matrix (客户差异化)                 5.1
``channels``          channels, touchpoints and communication (渠道与接触点)               5.2
``funnel``            the sales funnel (销售漏斗)                                          5.3
``complaints``        complaints and service recovery (客户投诉)                           5.4, 9.2
``customer_data``     customer data management (客户信息管理): duplicates                  6.1
``cube``              multidimensional analysis (多维分析): the profit cube                6.2
``credit``            credit analysis (客户信用分析)                                       6.2
``association``       association rules (关联规则)                                         6.3
``fraud``             fraud detection (欺诈发现)                                           6.3
``callcenter``        contact-centre staffing with Erlang C (呼叫中心)                     7.1
``contact_centre``    forecasts, profit-optimal staffing, mystery calls                    7.1
``crmdb``             a CRM database in SQLite (CRM软件系统)                               8.1
``crm_project``       choosing and implementing CRM (CRM系统的选择与实施)                  8.2
``fees``              service fees on small balances (小额账户服务费)                      9.1
``defects``           defects a customer meets (缺陷)                                      9.2
``restaurant``        the restaurant case (富丽华·华膳楼)                                  9.3
``operations``        customer operations (客户经营): dashboard, control limits            10.1
``programmes``        relationship maintenance, loyalty programmes (忠诚计划)              10.2
``risk``              risk management (风险管理), early warning                            10.3
``capstone``          the capstone (综合实践): report, rubric, variants                    10.4
====================  ===================================================================  =============

Contracts: ``tables`` declares every input table, ``models`` the likelihood
models' shared interface, ``values`` how cell values are read, ``figures`` the
figure helpers and the Chinese font. Data: ``datasets`` loads the real public
data sets; ``simulate`` draws synthetic data with known truth; ``io`` reads
analysts' files (CSV in UTF-8 or GBK, Excel, Parquet) and writes outputs safely;
``engine`` runs the reports' per-transaction work out of core in DuckDB or on Spark. Tools: ``course`` (contents,
navigation, HTML build), ``grading`` (student copies, variants, autograding),
``reports`` (parameterised reports), all behind the ``crm-lessons`` command (``cli``);
``widgets`` gives the lessons' Explore cells their controls.
Every input check raises :class:`CRMInputError` with a message that names the
argument or file, column and row, and says how to fix it.

Examples
--------
>>> import crm_lessons
>>> crm_lessons.CRMInputError.__mro__[1].__name__
'ValueError'
"""

from crm_lessons._validation import CRMInputError

__version__ = "0.1.0"
__all__ = ["CRMInputError", "__version__"]
