"""Feed tokens: only their hash is kept, a new one ends the previous one, revoked and unknown ones
and a deactivated person's open nothing, and who may manage which feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories as f
from workflow.access import Principal
from workflow.core import Conflict, Forbidden, NotFound
from workflow.core.db import unit_of_work
from workflow.directory import Contact
from workflow.feeds import (
    CalendarFeed,
    contact_feed_owner,
    hash_feed_token,
    institution_feed_owner,
    issue_feed,
    live_feed,
    looks_like_feed_token,
    open_feed,
    revoke_feed,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ADMIN = Principal(name="root", role="admin", institution_id=None)


@pytest.fixture
def people(engine):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        mof = f.institution(s, "Ministry of Finance")
        arta = f.contact(s, moi, ["coordinator"], "arta@example.org")
        return moi, mof, arta


def test_only_the_tokens_hash_is_stored_and_a_new_feed_ends_the_previous_one(engine, people):
    _, _, arta = people
    with unit_of_work(engine) as s:
        first = issue_feed(s, contact_feed_owner(s, arta, ADMIN), now=NOW)
        second = issue_feed(s, contact_feed_owner(s, arta, ADMIN), now=NOW)
        stored = s.scalars(select(CalendarFeed).order_by(CalendarFeed.id)).all()
    assert looks_like_feed_token(first.plain) and first.plain != second.plain
    assert [row.token_hash for row in stored] == [hash_feed_token(first.plain), hash_feed_token(second.plain)]
    assert first.plain not in {row.token_hash for row in stored}
    assert [row.revoked_at is not None for row in stored] == [True, False]
    with unit_of_work(engine) as s:
        with pytest.raises(NotFound):
            open_feed(s, first.plain)
        assert open_feed(s, second.plain).contact.id == arta


def test_an_owners_live_feed_is_the_working_one_and_none_once_revoked(engine, people):
    moi, _, arta = people
    with unit_of_work(engine) as s:
        owner = contact_feed_owner(s, arta, ADMIN)
        assert live_feed(s, owner) is None
        issue_feed(s, owner, now=NOW)
        second = issue_feed(s, owner, now=NOW)
        institutions = issue_feed(s, institution_feed_owner(s, moi, ADMIN), now=NOW)
        found = live_feed(s, owner)
        assert found is not None and found.id == second.row.id != institutions.row.id
        revoke_feed(s, owner, now=NOW)
        assert live_feed(s, owner) is None
        assert live_feed(s, institution_feed_owner(s, moi, ADMIN)) is not None


def test_the_database_refuses_two_live_feeds_for_one_owner(engine, people):
    _, _, arta = people
    with pytest.raises(IntegrityError), unit_of_work(engine) as s:
        s.add(CalendarFeed(token_hash="a" * 64, contact_id=arta, created_at=NOW))
        s.add(CalendarFeed(token_hash="b" * 64, contact_id=arta, created_at=NOW))
        s.flush()


def test_revoked_unknown_malformed_and_deactivated_feeds_all_open_nothing(engine, people):
    moi, _, arta = people
    with unit_of_work(engine) as s:
        person = issue_feed(s, contact_feed_owner(s, arta, ADMIN), now=NOW).plain
        office = issue_feed(s, institution_feed_owner(s, moi, ADMIN), now=NOW).plain
    with unit_of_work(engine) as s:
        assert open_feed(s, office).institution.id == moi
        assert revoke_feed(s, institution_feed_owner(s, moi, ADMIN), now=NOW) is True
        assert revoke_feed(s, institution_feed_owner(s, moi, ADMIN), now=NOW) is False  # nothing left to revoke
        s.get(Contact, arta).deactivated_at = NOW
    for presented in (office, person, "ccf_" + "A" * 43, "ccf_short", "ctm_" + "A" * 43, "ccf_" + "!" * 43, ""):
        with unit_of_work(engine) as s, pytest.raises(NotFound):
            open_feed(s, presented)


def test_a_contacts_feed_is_managed_by_an_admin_or_the_person_and_an_institutions_by_its_coordinators(
    engine, people
):
    moi, mof, arta = people
    own_coordinator = Principal(name="c", role="coordinator", institution_id=moi)
    with unit_of_work(engine) as s:
        assert contact_feed_owner(s, arta, Principal(name="arta", role="coordinator", institution_id=moi,
                                                     contact_id=arta)).contact.id == arta
        with pytest.raises(Forbidden):
            contact_feed_owner(s, arta, own_coordinator)  # a colleague is not the person
        assert institution_feed_owner(s, moi, own_coordinator).institution.id == moi
        for refused in (Principal(name="x", role="coordinator", institution_id=mof),
                        Principal(name="v", role="viewer", institution_id=moi),
                        Principal(name="p", role="contact_point", institution_id=moi)):
            with pytest.raises(Forbidden):
                institution_feed_owner(s, moi, refused)
        with pytest.raises(NotFound):
            contact_feed_owner(s, 999, ADMIN)
        with pytest.raises(NotFound):
            institution_feed_owner(s, 999, ADMIN)
        s.get(Contact, arta).deactivated_at = NOW
        s.flush()
        with pytest.raises(Conflict):
            contact_feed_owner(s, arta, ADMIN)
