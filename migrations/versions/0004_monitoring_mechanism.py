"""monitoring mechanism: objectives, measures, indicators, reporting cycles and progress reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
import workflow.core.columns
import workflow.core.columns


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('alignment_tags', sa.JSON(), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('strategic', 'specific')", name='ck_objectives_level'),
    sa.ForeignKeyConstraint(['parent_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objectives_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objectives_strategy_id'), ['strategy_id'], unique=False)

    op.create_table('progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('period_label', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('first_submitted_on', sa.Date(), nullable=True),
    sa.Column('submitted_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'accepted', 'returned')", name='ck_progress_reports_status'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'period_label', 'institution_id', name='uq_progress_reports_once')
    )
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_reports_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_reports_plan_id'), ['plan_id'], unique=False)

    op.create_table('reporting_cycles',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=12), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency IN ('quarterly', 'semi_annual', 'annual')", name='ck_reporting_cycles_frequency'),
    sa.CheckConstraint('due_days >= 0', name='ck_reporting_cycles_due_days'),
    sa.ForeignKeyConstraint(['plan_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('plan_id')
    )
    op.create_table('measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('responsible_institution_id', sa.Integer(), nullable=False),
    sa.Column('contributing_institution_ids', sa.JSON(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=False),
    sa.Column('estimated_cost', workflow.core.columns.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('funding_source', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('alignment_tags', sa.JSON(), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'completed') = (completed_on IS NOT NULL)", name='ck_measures_completed_on'),
    sa.CheckConstraint("currency IN ('ALL', 'EUR', 'USD')", name='ck_measures_currency'),
    sa.CheckConstraint("status IN ('not_started', 'on_track', 'delayed', 'completed', 'cancelled')", name='ck_measures_status'),
    sa.CheckConstraint('planned_end >= planned_start', name='ck_measures_planned_order'),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['strategies.id'], ),
    sa.ForeignKeyConstraint(['responsible_institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measures_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measures_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measures_responsible_institution_id'), ['responsible_institution_id'], unique=False)

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline_value', workflow.core.columns.ExactDecimal(precision=18, scale=4), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('target_value', workflow.core.columns.ExactDecimal(precision=18, scale=4), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('increase', 'decrease')", name='ck_indicators_direction'),
    sa.CheckConstraint('(objective_id IS NULL) <> (measure_id IS NULL)', name='ck_indicators_one_owner'),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_objective_id'), ['objective_id'], unique=False)

    op.create_table('report_measure_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('not_started', 'on_track', 'delayed', 'completed', 'cancelled')", name='ck_report_measure_updates_status'),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['progress_reports.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'measure_id', name='uq_report_measure_updates_once')
    )
    with op.batch_alter_table('report_measure_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_measure_updates_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_measure_updates_report_id'), ['report_id'], unique=False)

    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', workflow.core.columns.ExactDecimal(precision=18, scale=4), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['progress_reports.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'indicator_id', name='uq_indicator_values_once')
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_values_report_id'), ['report_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_report_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_values_indicator_id'))

    op.drop_table('indicator_values')
    with op.batch_alter_table('report_measure_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_measure_updates_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_measure_updates_measure_id'))

    op.drop_table('report_measure_updates')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_objective_id'))
        batch_op.drop_index(batch_op.f('ix_indicators_measure_id'))

    op.drop_table('indicators')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measures_responsible_institution_id'))
        batch_op.drop_index(batch_op.f('ix_measures_plan_id'))
        batch_op.drop_index(batch_op.f('ix_measures_objective_id'))

    op.drop_table('measures')
    op.drop_table('reporting_cycles')
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_reports_plan_id'))
        batch_op.drop_index(batch_op.f('ix_progress_reports_institution_id'))

    op.drop_table('progress_reports')
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objectives_strategy_id'))
        batch_op.drop_index(batch_op.f('ix_objectives_parent_id'))

    op.drop_table('objectives')
