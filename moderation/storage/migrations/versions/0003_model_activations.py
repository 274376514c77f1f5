"""model activations and shadow scores

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
import moderation.storage.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_activations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=True),
    sa.Column('activated_at', moderation.storage.models.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('shadow_scores',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('review_pk', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('legal_hold', sa.Boolean(), nullable=False),
    sa.Column('at', moderation.storage.models.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_pk'], ['reviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shadow_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shadow_scores_review_pk'), ['review_pk'], unique=False)
        batch_op.create_index('ix_shadow_scores_version', ['model_version', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shadow_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_shadow_scores_version')
        batch_op.drop_index(batch_op.f('ix_shadow_scores_review_pk'))
    op.drop_table('shadow_scores')
    op.drop_table('model_activations')
