"""CRM Lessons: the helpers behind the lessons of the customer relationship management course (客户关系管理).

One module per concept of the course; a lesson's first code cell imports its module.

====================  =========================================================  =======
module                concept                                                    lesson
====================  =========================================================  =======
``relationships``     customers, relationship status, formation ladder, levels    1.1
``clv``               retention economics, customer lifetime value, equity        1.2, 2.3, 2.4
``replenishment``     the rice-shop (王永庆卖米) replenishment model               1.3
``kpis``              more, longer, deeper (多、久、深) KPIs                        1.4
``lifecycle``         relationship lifecycle stages (客户关系生命周期)             2.1
``delivered_value``   customer delivered value (客户让渡价值)                      2.2
``customer_summary``  frequency / recency / T / monetary value per customer       2.3
``purchase_models``   BG/NBD and Pareto/NBD purchase models                       2.3
``spend_model``       Gamma-Gamma spend model                                     2.3
``segmentation``      customer value segmentation (客户价值细分)                   2.5
``satisfaction``      satisfaction (客户满意度): gaps, CSAT, NPS, IPA, drivers     3.1
``loyalty``           loyalty (客户忠诚): indicators, switching, loyalty types     3.2
``retention``         retention (客户保持): cohorts, Kaplan-Meier, sBG             3.3
``churn``             churn (客户流失): measures, prediction, early warning        3.4
``funnel``            the sales funnel (销售漏斗)                                  5.3
``complaints``        complaints and service recovery (客户投诉)                   5.4
``callcenter``        contact-centre staffing with Erlang C (呼叫中心)             7.1
====================  =========================================================  =======

Data: ``datasets`` loads the real public data sets; ``simulate`` draws synthetic
data with known truth; ``io`` reads analysts' files (CSV in UTF-8 or GBK,
Excel, Parquet) and writes outputs safely. Tools: ``course`` (contents,
navigation, HTML build), ``grading`` (student copies, variants, autograding),
``reports`` (parameterised reports), all behind the ``crm-lessons`` command;
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
