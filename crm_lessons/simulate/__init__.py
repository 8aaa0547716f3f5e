"""Seeded generators of synthetic CRM data with known truth (合成数据).

Every generator takes a ``seed`` and size arguments and returns a
:class:`~crm_lessons.simulate._base.Simulated` pair: ``data`` (a DataFrame, or
a dict of DataFrames) and ``truth`` (a dict of the true parameters the data
were drawn from), so that lessons and tests can compare estimates to truth.
"""

from crm_lessons.simulate._base import Simulated
from crm_lessons.simulate.subscriptions import simulate_subscriptions
from crm_lessons.simulate.survey import simulate_survey, simulate_survey_log
from crm_lessons.simulate.retail import simulate_retail
from crm_lessons.simulate.households import simulate_households
from crm_lessons.simulate.transactions import simulate_transactions
from crm_lessons.simulate.lifecycle import simulate_lifecycle
from crm_lessons.simulate.restaurant import simulate_restaurant_visits
from crm_lessons.simulate.opportunities import simulate_opportunities
from crm_lessons.simulate.tickets import simulate_tickets
from crm_lessons.simulate.tastes import simulate_tastes
from crm_lessons.simulate.panel import simulate_brand_panel
from crm_lessons.simulate.accounts import simulate_account_months
from crm_lessons.simulate.cards import simulate_card_transactions
from crm_lessons.simulate.messy import simulate_messy_customers
from crm_lessons.simulate.prospects import simulate_phone_leads, simulate_referral_cascades
from crm_lessons.simulate.contacts import simulate_contacts

__all__ = ["simulate_opportunities", "simulate_tickets", "simulate_restaurant_visits", "Simulated",
           "simulate_subscriptions", "simulate_survey", "simulate_survey_log", "simulate_retail",
           "simulate_households", "simulate_transactions", "simulate_lifecycle", "simulate_tastes",
           "simulate_brand_panel", "simulate_account_months", "simulate_card_transactions",
           "simulate_messy_customers", "simulate_phone_leads", "simulate_referral_cascades", "simulate_contacts"]
