"""Synthesis: card vectors cached by text, themes of a board's cards, suggested merges dismissed

Revision ID: f16a2b3c4d50
Revises: e15a0c1d2b30
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f16a2b3c4d50'
down_revision = 'e15a0c1d2b30'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('card_vectors',
    sa.Column('text_key', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=60), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('text_key', 'model', name=op.f('pk_card_vectors'))
    )
    op.create_table('merge_dismissals',
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('other_card_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('card_id < other_card_id', name=op.f('ck_merge_dismissals_merge_dismissal_in_id_order')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_merge_dismissals_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_merge_dismissals_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['facilitators.id'], name=op.f('fk_merge_dismissals_dismissed_by_id_facilitators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['other_card_id'], ['cards.id'], name=op.f('fk_merge_dismissals_other_card_id_cards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('card_id', 'other_card_id', name=op.f('pk_merge_dismissals'))
    )
    with op.batch_alter_table('merge_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merge_dismissals_board_id'), ['board_id'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('words', sa.String(length=200), nullable=False),
    sa.Column('central_card_id', sa.Integer(), nullable=True),
    sa.Column('dismissed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_themes_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['central_card_id'], ['cards.id'], name=op.f('fk_themes_central_card_id_cards'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes'))
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_board_id'), ['board_id'], unique=False)

    op.create_table('theme_cards',
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_theme_cards_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_cards_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('card_id', name=op.f('pk_theme_cards'))
    )
    with op.batch_alter_table('theme_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_cards_theme_id'), ['theme_id'], unique=False)




def downgrade():

    with op.batch_alter_table('theme_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_cards_theme_id'))

    op.drop_table('theme_cards')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_board_id'))

    op.drop_table('themes')
    with op.batch_alter_table('merge_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merge_dismissals_board_id'))

    op.drop_table('merge_dismissals')
    op.drop_table('card_vectors')

