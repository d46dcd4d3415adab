"""Processor obligations: client instructions, legal holds, certificates, exports, retention.

- ``instructions`` (+ ``instruction_events``, ``instruction_progress``): tenant-scoped
  processor metadata the platform processes (platform write). They never hold personal
  data: a subject is referenced by id only. What the client instructed (kind, subject,
  who, when) cannot change once received: a trigger refuses it, for every role.
- ``legal_holds``: platform written; a tenant reads a hold only when it may be told.
- ``deletion_certificates``: signed results; a tenant reads only those it may be shown.
- ``data_exports``: the returned data (personal data: tenant scope only, never platform).
- ``retention_settings`` / ``retention_runs``: per-tenant periods and purge reports.
- Owner-owned functions for what the application role may not do itself: purge a prefix
  of a tenant's audit chain past its retention, and forget the login identities whose
  only tenant is being offboarded.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all, isolate_tenant_table
from timeward.db.rls import CURRENT_TENANT, PlatformAccess, platform_policy

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")
TS = sa.DateTime(timezone=True)

KINDS = "kind IN ('delete_subject', 'offboard_tenant', 'return_data')"
STATUSES = (
    "status IN ('received', 'scheduled', 'in_processing', 'paused', 'completed', "
    "'partially_completed', 'failed', 'canceled', 'rejected')"
)
OPEN_STATUSES = (
    "('received', 'scheduled', 'in_processing', 'paused', 'failed', 'partially_completed')"
)

IMMUTABLE_INSTRUCTION = """
CREATE FUNCTION instructions_immutable() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'instruction % records what the client instructed: never deleted',
            OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.tenant_id, NEW.id, NEW.kind, NEW.subject_id, NEW.subject_user_id,
        NEW.subject_request_id, NEW.requested_by, NEW.requested_by_role, NEW.received_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.kind, OLD.subject_id, OLD.subject_user_id,
        OLD.subject_request_id, OLD.requested_by, OLD.requested_by_role, OLD.received_at)
    THEN
        RAISE EXCEPTION 'instruction % is immutable once received (kind, scope, subject, '
            'requester and time of receipt cannot change)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
"""

IMMUTABLE_HOLD = """
CREATE FUNCTION legal_holds_immutable() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'legal hold % is never deleted; release it', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.tenant_id, NEW.id, NEW.scope, NEW.subject_id, NEW.subject_user_id, NEW.basis,
        NEW.reference, NEW.client_may_be_told, NEW.placed_by, NEW.placed_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.scope, OLD.subject_id, OLD.subject_user_id, OLD.basis,
        OLD.reference, OLD.client_may_be_told, OLD.placed_by, OLD.placed_at)
       OR (OLD.released_at IS NOT NULL AND NEW.released_at IS DISTINCT FROM OLD.released_at)
    THEN
        RAISE EXCEPTION 'legal hold % can only be released, once', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
"""

# Retention of audit events removes a *prefix* of the tenant's chain (never its head)
# and records where the chain now starts, so verification still runs from that anchor.
PURGE_AUDIT = f"""
CREATE FUNCTION purge_audit_events(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant uuid := {CURRENT_TENANT};
    v_head_seq bigint;
    v_floor bigint;
    v_upto bigint;
    v_digest bytea;
    v_count integer;
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION 'purge_audit_events needs a tenant-scoped transaction';
    END IF;
    SELECT seq, floor_seq INTO v_head_seq, v_floor
      FROM audit_chain_heads WHERE tenant_id = v_tenant FOR UPDATE;
    IF v_head_seq IS NULL THEN
        RETURN 0;
    END IF;
    -- the contiguous run of old events after the floor, stopping at the first recent one
    SELECT coalesce(min(seq), v_head_seq) - 1 INTO v_upto
      FROM audit_events
     WHERE tenant_id = v_tenant AND seq > v_floor AND at >= p_before;
    v_upto := least(v_upto, v_floor + p_limit, v_head_seq - 1);
    IF v_upto <= v_floor THEN
        RETURN 0;
    END IF;
    SELECT digest INTO v_digest FROM audit_events WHERE tenant_id = v_tenant AND seq = v_upto;
    DELETE FROM audit_events WHERE tenant_id = v_tenant AND seq > v_floor AND seq <= v_upto;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    UPDATE audit_chain_heads SET floor_seq = v_upto, floor_digest = v_digest
     WHERE tenant_id = v_tenant;
    RETURN v_count;
END $$
"""

# Offboarding: the login identities (e-mail, password hash) of people whose only
# tenant is the one being offboarded, and their refresh tokens and memberships there.
# Cross-tenant memberships are invisible to every application scope, hence a function
# owned by the schema owner, limited to the tenant the caller's transaction is set to.
FORGET_USERS = f"""
CREATE FUNCTION forget_tenant_only_users(p_limit integer, p_keep uuid[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant uuid := {CURRENT_TENANT};
    v_users uuid[];
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION 'forget_tenant_only_users needs a tenant-scoped transaction';
    END IF;
    SELECT coalesce(array_agg(user_id), '{{}}') INTO v_users FROM (
        SELECT m.user_id FROM memberships m
         WHERE m.tenant_id = v_tenant
           AND NOT (m.user_id = ANY (coalesce(p_keep, '{{}}')))
           AND NOT EXISTS (SELECT 1 FROM memberships o
                            WHERE o.user_id = m.user_id AND o.tenant_id <> v_tenant)
           AND NOT EXISTS (SELECT 1 FROM platform_staff s WHERE s.user_id = m.user_id)
         ORDER BY m.user_id LIMIT p_limit) candidates;
    DELETE FROM refresh_tokens WHERE user_id = ANY (v_users);
    DELETE FROM memberships WHERE tenant_id = v_tenant AND user_id = ANY (v_users);
    DELETE FROM users WHERE id = ANY (v_users);
    RETURN cardinality(v_users);
END $$
"""


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column[sa.DateTime]:
    return sa.Column(name, TS, server_default=None if nullable else NOW, nullable=nullable)


def _tenant_fk() -> sa.Column[object]:
    return sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True)


def _instruction_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "instruction_id"], ["instructions.tenant_id", "instructions.id"]
    )


def _owner() -> str:
    return str(op.get_bind().exec_driver_sql("select current_user").scalar())


def _create_instructions() -> None:
    op.create_table(
        "instructions",
        _tenant_fk(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("subject_id", UUID),
        sa.Column("subject_user_id", UUID),
        sa.Column("subject_request_id", UUID),
        sa.Column("subject_request_due", sa.Date),
        sa.Column("requested_by", UUID, nullable=False),
        sa.Column("requested_by_role", sa.String(32), nullable=False),
        _timestamp("received_at", nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("phase", sa.String(32)),
        sa.Column("status_reason", sa.Text),
        sa.Column("withheld", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(200)),
        _timestamp("enqueued_at"),
        _timestamp("not_before"),
        _timestamp("started_at"),
        _timestamp("finished_at"),
        _timestamp("updated_at", nullable=False),
        sa.Column("job_ids", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("export_id", UUID),
        sa.Column("delivery_email_ids", pg.ARRAY(UUID), nullable=False, server_default="{}"),
        sa.Column("escalation", sa.String(16), nullable=False, server_default="ok"),
        _timestamp("escalated_at"),
        _timestamp("data_key_destroyed_at"),
        sa.Column("certificate_id", UUID),
        sa.CheckConstraint(KINDS, name="kind"),
        sa.CheckConstraint(STATUSES, name="status"),
        sa.CheckConstraint("escalation IN ('ok', 'nearing', 'overdue')", name="escalation"),
        sa.CheckConstraint(
            "(kind = 'delete_subject') = (subject_id IS NOT NULL OR subject_user_id IS NOT NULL)",
            name="subject_iff_delete_subject",
        ),
        sa.CheckConstraint(
            "(subject_request_id IS NULL) = (subject_request_due IS NULL)", name="request_due"
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
    )
    op.create_index("ix_instructions_tenant_id_status", "instructions", ["tenant_id", "status"])
    op.create_index("ix_instructions_tenant_id_due_on", "instructions", ["tenant_id", "due_on"])
    # At most one open offboarding per tenant.
    op.create_index(
        "uq_instructions_tenant_id_open_offboarding",
        "instructions",
        ["tenant_id"],
        unique=True,
        postgresql_where=sa.text(f"kind = 'offboard_tenant' AND status IN {OPEN_STATUSES}"),
    )
    isolate_tenant_table(
        "instructions", platform=PlatformAccess.WRITE, privileges="SELECT, INSERT, UPDATE"
    )
    op.execute(IMMUTABLE_INSTRUCTION)
    op.execute(
        "CREATE TRIGGER instructions_immutable BEFORE UPDATE OR DELETE ON instructions "
        "FOR EACH ROW EXECUTE FUNCTION instructions_immutable()"
    )

    op.create_table(
        "instruction_events",
        _tenant_fk(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("instruction_id", UUID, nullable=False),
        _timestamp("at", nullable=False),
        sa.Column("from_status", sa.String(24)),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("actor_id", UUID),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("disclosed", sa.Boolean, nullable=False, server_default=sa.true()),
        _instruction_fk(),
    )
    op.create_index(
        "ix_instruction_events_tenant_id_instruction_id_at",
        "instruction_events",
        ["tenant_id", "instruction_id", "at"],
    )
    isolate_tenant_table(
        "instruction_events", platform=PlatformAccess.WRITE, privileges="SELECT, INSERT"
    )

    op.create_table(
        "instruction_progress",
        _tenant_fk(),
        sa.Column("instruction_id", UUID, primary_key=True),
        sa.Column("table_name", sa.String(63), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("removed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("anonymised", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("retained", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("exported", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("basis", sa.Text),
        sa.Column("held", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        _timestamp("updated_at", nullable=False),
        _instruction_fk(),
    )
    isolate_tenant_table(
        "instruction_progress",
        platform=PlatformAccess.WRITE,
        privileges="SELECT, INSERT, UPDATE",
    )


def _create_holds_and_certificates() -> None:
    role = app_role()
    op.create_table(
        "legal_holds",
        _tenant_fk(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("subject_id", UUID),
        sa.Column("subject_user_id", UUID),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("client_may_be_told", sa.Boolean, nullable=False),
        sa.Column("placed_by", UUID, nullable=False),
        _timestamp("placed_at", nullable=False),
        sa.Column("released_by", UUID),
        _timestamp("released_at"),
        sa.Column("release_reason", sa.Text),
        sa.CheckConstraint("scope IN ('subject', 'tenant')", name="scope"),
        sa.CheckConstraint(
            "(scope = 'subject') = (subject_id IS NOT NULL OR subject_user_id IS NOT NULL)",
            name="subject_iff_subject_scope",
        ),
        sa.CheckConstraint("(released_at IS NULL) = (released_by IS NULL)", name="released"),
    )
    op.create_index(
        "ix_legal_holds_tenant_id_active",
        "legal_holds",
        ["tenant_id"],
        postgresql_where=sa.text("released_at IS NULL"),
    )
    # The tenant reads a hold only when it may be told of it; only the platform writes.
    disclosed = f"tenant_id = {CURRENT_TENANT} AND client_may_be_told"
    execute_all(
        [
            "ALTER TABLE legal_holds ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE legal_holds FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY tenant_read_disclosed ON legal_holds FOR SELECT USING ({disclosed})",
            *platform_policy("legal_holds", PlatformAccess.WRITE),
            f"GRANT SELECT, INSERT, UPDATE ON legal_holds TO {role}",
        ]
    )
    op.execute(IMMUTABLE_HOLD)
    op.execute(
        "CREATE TRIGGER legal_holds_immutable BEFORE UPDATE OR DELETE ON legal_holds "
        "FOR EACH ROW EXECUTE FUNCTION legal_holds_immutable()"
    )

    op.create_table(
        "deletion_certificates",
        _tenant_fk(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("instruction_id", UUID, nullable=False),
        _timestamp("issued_at", nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column("jws", sa.Text, nullable=False),
        sa.Column("client_visible", sa.Boolean, nullable=False),
        _instruction_fk(),
    )
    op.create_index(
        "ix_deletion_certificates_tenant_id_instruction_id",
        "deletion_certificates",
        ["tenant_id", "instruction_id", "issued_at"],
    )
    # Written by the executor in the tenant's scope; the tenant reads only what it may see
    # (a certificate naming an undisclosed legal hold stays with the processor).
    own = f"tenant_id = {CURRENT_TENANT}"
    execute_all(
        [
            "ALTER TABLE deletion_certificates ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE deletion_certificates FORCE ROW LEVEL SECURITY",
            "CREATE POLICY tenant_read_visible ON deletion_certificates FOR SELECT "
            f"USING ({own} AND client_visible)",
            f"CREATE POLICY tenant_insert ON deletion_certificates FOR INSERT WITH CHECK ({own})",
            *platform_policy("deletion_certificates", PlatformAccess.READ),
            f"GRANT SELECT, INSERT ON deletion_certificates TO {role}",
        ]
    )


def _create_exports_and_retention() -> None:
    op.create_table(
        "data_exports",
        _tenant_fk(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("instruction_id", UUID),
        _timestamp("created_at", nullable=False),
        _timestamp("expires_at", nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("row_counts", pg.JSONB, nullable=False),
        sa.Column("downloads", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("expires_at > created_at", name="expiry"),
    )
    op.create_index(
        "ix_data_exports_tenant_id_expires_at", "data_exports", ["tenant_id", "expires_at"]
    )
    isolate_tenant_table("data_exports")  # personal data: never in platform scope

    op.create_table(
        "retention_settings",
        _tenant_fk(),
        sa.Column("category", sa.String(63), primary_key=True),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("updated_by", UUID),
        _timestamp("updated_at", nullable=False),
        sa.CheckConstraint("days >= 0", name="days"),
    )
    isolate_tenant_table("retention_settings")

    op.create_table(
        "retention_runs",
        _tenant_fk(),
        sa.Column("id", UUID, primary_key=True),
        _timestamp("started_at", nullable=False),
        _timestamp("finished_at", nullable=False),
        sa.Column("counts", pg.JSONB, nullable=False),
        sa.Column("skipped", pg.JSONB, nullable=False),
    )
    op.create_index(
        "ix_retention_runs_tenant_id_started_at", "retention_runs", ["tenant_id", "started_at"]
    )
    isolate_tenant_table(
        "retention_runs", platform=PlatformAccess.READ, privileges="SELECT, INSERT, DELETE"
    )


def _create_functions() -> None:
    role, owner = app_role(), _owner()
    op.add_column(
        "audit_chain_heads",
        sa.Column("floor_seq", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.add_column("audit_chain_heads", sa.Column("floor_digest", sa.LargeBinary))
    op.execute(PURGE_AUDIT)
    op.execute(FORGET_USERS)
    # The two functions run as the owner, which FORCE RLS binds too: these policies let
    # the owner (and only the owner) see what the functions must, across scopes.
    is_owner = f"current_user = '{owner}'"
    execute_all(
        [
            f"CREATE POLICY owner_maintenance ON {table} USING ({is_owner}) WITH CHECK ({is_owner})"
            for table in ("memberships", "platform_staff", "refresh_tokens", "users")
        ]
    )
    for signature in (
        "purge_audit_events(timestamptz, integer)",
        "forget_tenant_only_users(integer, uuid[])",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def upgrade() -> None:
    _create_instructions()
    _create_holds_and_certificates()
    _create_exports_and_retention()
    _create_functions()


def downgrade() -> None:
    for table in ("memberships", "platform_staff", "refresh_tokens", "users"):
        op.execute(f"DROP POLICY owner_maintenance ON {table}")
    op.execute("DROP FUNCTION forget_tenant_only_users(integer, uuid[])")
    op.execute("DROP FUNCTION purge_audit_events(timestamptz, integer)")
    op.drop_column("audit_chain_heads", "floor_digest")
    op.drop_column("audit_chain_heads", "floor_seq")
    for table in (
        "retention_runs",
        "retention_settings",
        "data_exports",
        "deletion_certificates",
        "legal_holds",
        "instruction_progress",
        "instruction_events",
        "instructions",
    ):
        op.drop_table(table)
    op.execute("DROP FUNCTION legal_holds_immutable()")
    op.execute("DROP FUNCTION instructions_immutable()")
