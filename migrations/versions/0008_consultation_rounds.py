"""consultation rounds: stakeholder categories (nine built in), rounds and their history, events,
submissions and responses

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The built-in categories as this revision seeds them (workflow.consultation.BUILTIN_CATEGORIES).
BUILTIN_CATEGORIES = (
    ("diaspora", "Diaspora", "Diaspora"),
    ("migrants", "Migrants", "Migrantët"),
    ("local_communities", "Local communities", "Komunitetet lokale"),
    ("development_partners", "Development partners", "Partnerët për zhvillim"),
    ("civil_society", "Civil society", "Shoqëria civile"),
    ("private_sector", "Private sector", "Sektori privat"),
    ("academia", "Academia", "Bota akademike"),
    ("public_institutions", "Public institutions", "Institucionet publike"),
    ("other", "Other", "Të tjerë"),
)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)


def upgrade() -> None:
    categories = op.create_table('stakeholder_categories',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('label_sq', sa.String(length=200), nullable=False),
    _flag('builtin'),
    sa.PrimaryKeyConstraint('code')
    )
    op.bulk_insert(categories, [
        {"code": code, "label_en": label_en, "label_sq": label_sq, "builtin": True}
        for code, label_en, label_sq in BUILTIN_CATEGORIES
    ])

    op.create_table('consultation_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    _flag('illustrative'),
    _flag('effective_on_approximate'),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('open', 'closed')", name='ck_consultation_rounds_state'),
    sa.CheckConstraint('closes_on > opened_on', name='ck_consultation_rounds_closes_after_opening'),
    sa.CheckConstraint("(state = 'closed') = (closed_on IS NOT NULL)", name='ck_consultation_rounds_closed_on'),
    sa.CheckConstraint('version >= 1', name='ck_consultation_rounds_version_positive'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('strategy_id', 'number', name='uq_consultation_rounds_number')
    )
    with op.batch_alter_table('consultation_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_rounds_strategy_id'), ['strategy_id'], unique=False)
        batch_op.create_index('uq_consultation_rounds_one_open', ['strategy_id'], unique=True,
                              sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.create_table('consultation_round_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=10), nullable=False),
    sa.Column('from_state', sa.String(length=10), nullable=True),
    sa.Column('to_state', sa.String(length=10), nullable=False),
    sa.Column('closes_on_before', sa.Date(), nullable=True),
    sa.Column('closes_on_after', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("event IN ('open', 'extend', 'close')", name='ck_consultation_round_changes_event'),
    sa.ForeignKeyConstraint(['round_id'], ['consultation_rounds.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_round_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_round_changes_round_id'), ['round_id'], unique=False)

    op.create_table('consultation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    _flag('illustrative'),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(
        "kind IN ('roundtable', 'workshop', 'hearing', 'online_session')", name='ck_consultation_events_kind'
    ),
    sa.ForeignKeyConstraint(['round_id'], ['consultation_rounds.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_events_round_id'), ['round_id'], unique=False)

    op.create_table('consultation_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    _flag('illustrative'),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category'], ['stakeholder_categories.code'], ),
    sa.ForeignKeyConstraint(['round_id'], ['consultation_rounds.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_submissions_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_submissions_round_id'), ['round_id'], unique=False)

    op.create_table('consultation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('responded_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    _flag('effective_on_approximate'),
    sa.Column('recorded_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(
        "decision IN ('accepted', 'partly_accepted', 'not_accepted')", name='ck_consultation_responses_decision'
    ),
    sa.CheckConstraint("decision = 'accepted' OR reason IS NOT NULL", name='ck_consultation_responses_reason'),
    sa.ForeignKeyConstraint(['submission_id'], ['consultation_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_responses_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consultation_rounds', schema=None) as batch_op:
        batch_op.drop_index('uq_consultation_rounds_one_open')
    for table, indexes in (
        ('consultation_responses', ('submission_id',)),
        ('consultation_submissions', ('round_id', 'category')),
        ('consultation_events', ('round_id',)),
        ('consultation_round_changes', ('round_id',)),
        ('consultation_rounds', ('strategy_id',)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
    op.drop_table('stakeholder_categories')
