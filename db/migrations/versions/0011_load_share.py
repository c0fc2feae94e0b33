"""load share: each exercise of a session lightened before prescriptions carried the share
of their load (amber 0.9, the first session after a race 0.8) takes it from the decision
that lightened the session; without it the nightly refresh, which now doses lightened
sessions again, gave them back their full load

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# The rules that lightened a session, as recorded (adjustments.rule), and the share each
# left: planner.adapt.LIGHTEN_LOAD and planner.races.RETURN_LOAD when this was written. An
# A race's lower-volume session keeps its load; S4's cap drops exercises, it decides no load.
SHARES = {"S7.3 amber": 0.9, "S7.3 morning amber": 0.9, "Races post-race": 0.8,
          "Races A taper": 1.0}

sessions = sa.table("planned_sessions", sa.column("id", sa.Integer),
                    sa.column("athlete_id", sa.Integer), sa.column("key", sa.String),
                    sa.column("kind", sa.String), sa.column("status", sa.String),
                    sa.column("exercises", sa.JSON))
adjustments = sa.table("adjustments", sa.column("id", sa.Integer),
                       sa.column("athlete_id", sa.Integer), sa.column("session_key", sa.String),
                       sa.column("rule", sa.String), sa.column("action", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(sessions).where(sessions.c.status == "lightened",
                                                  sessions.c.kind == "strength")).all()
    for row in rows:
        if all("share" in p for p in row.exercises):
            continue
        rule = conn.execute(
            sa.select(adjustments.c.rule)
            .where(adjustments.c.athlete_id == row.athlete_id,
                   adjustments.c.session_key == row.key, adjustments.c.action == "lighten",
                   adjustments.c.rule.in_(list(SHARES)))
            .order_by(adjustments.c.id.desc()).limit(1)).scalar() or ""
        share = SHARES.get(rule, 1.0)
        # amber lightened every exercise it kept; a race's 80 % only loads in kg or by feel
        cut = [rule != "Races post-race" or bool(p.get("load_kg") or p.get("by_feel"))
               for p in row.exercises]
        exercises = [{**p, "share": p.get("share", share if c else 1.0)}
                     for p, c in zip(row.exercises, cut, strict=True)]
        conn.execute(sessions.update().where(sessions.c.id == row.id)
                     .values(exercises=exercises))


def downgrade() -> None:
    # Nothing to undo: the share is read with a default of 1.0 where it is missing.
    pass
