"""What an actor may do to a strategy, the same through the API and the console."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories as f
from workflow.access import Principal
from workflow.consultation import RECORDS
from workflow.core import Forbidden, Settings, clock
from workflow.lifecycle import StrategyPatch, TransitionRequest, edit_as, get_strategy, transition_as

SETTINGS = Settings(_env_file=None)


def test_a_coordinator_acts_only_on_what_its_institution_leads(session):
    own, other = f.institution(session), f.institution(session, "State Minister for Diaspora")
    strategy = f.strategy(session, own)
    outsider = Principal(name="klodiana", role="coordinator", institution_id=other)
    with pytest.raises(Forbidden):
        transition_as(session, outsider, strategy.id, TransitionRequest(event="submit_for_consultation"),
                      settings=SETTINGS, now=clock.now(), if_match=None, consultation=RECORDS)
    with pytest.raises(Forbidden):
        edit_as(session, outsider, strategy.id, StrategyPatch(title="Taken over"), settings=SETTINGS,
                now=clock.now(), if_match=None)
    insider = Principal(name="arta", role="coordinator", institution_id=own)
    with pytest.raises(Forbidden):  # nor hand its own to another institution
        edit_as(session, insider, strategy.id, StrategyPatch(lead_institution_id=other), settings=SETTINGS,
                now=clock.now(), if_match=None)
    moved = transition_as(session, insider, strategy.id, TransitionRequest(event="submit_for_consultation"),
                          settings=SETTINGS, now=clock.now(), if_match=None, consultation=RECORDS)
    assert moved.stage == "consultation" and get_strategy(session, strategy.id).stage == "consultation"


def test_only_an_admin_may_date_a_step_before_registration_or_go_below_the_legal_minimum(session):
    own = f.institution(session)
    strategy = f.strategy(session, own)
    before = f.T0.date() - timedelta(days=30)  # a month before it was registered
    early = TransitionRequest(event="submit_for_consultation", effective_on=before)
    coordinator = Principal(name="arta", role="coordinator", institution_id=own)
    with pytest.raises(Forbidden):
        transition_as(session, coordinator, strategy.id, early, settings=SETTINGS, now=clock.now(), if_match=None,
                      consultation=RECORDS)
    with pytest.raises(Forbidden):
        edit_as(session, coordinator, strategy.id, StrategyPatch(min_consultation_days=5), settings=SETTINGS,
                now=clock.now(), if_match=None)
    admin = Principal(name="ops", role="admin", institution_id=None)
    assert transition_as(session, admin, strategy.id, early, settings=SETTINGS, now=clock.now(),
                         if_match=None, consultation=RECORDS).stage == "consultation"
    assert edit_as(session, admin, strategy.id, StrategyPatch(min_consultation_days=5), settings=SETTINGS,
                   now=clock.now(), if_match=None).min_consultation_days == 5
