"""Settings read once from the environment.

Database URLs carry different roles on purpose: ``database_url`` is the
application role (no table ownership, no BYPASSRLS), ``database_owner_url`` the
role that owns the schema and runs migrations. With neither set, the CLI starts
an embedded PostgreSQL in ``data_dir`` and fills both in.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from timeward.crypto.master_key import MasterKeyError, decode_master_key, local_master_key

APP_ROLE_DEFAULT = "timeward_app"
OWNER_ROLE_DEFAULT = "timeward_owner"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    """Outbound mail relay. Only the mail worker reads it; never an HTTP request."""

    host: str = "localhost"
    port: int = 25
    sender: str = "Timeward <no-reply@timeward.localhost>"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout_seconds: float = 30.0


MIN_NOTICE_CHANGE_DAYS = 30


@dataclass(frozen=True)
class ProcessorSettings:
    """Who the processor is, for records of processing and breach notices (Art. 30(2), 33(3))."""

    name: str = "Timeward"
    contact: str = "Timeward, privacy team, privacy@timeward.localhost"
    dpo: str | None = None
    breach_contact: str | None = None  # None: the contact above
    sub_processor_objection_days: int = 30
    # The sender's physical address, in the footer of every optional mail (CAN-SPAM, CASL)
    postal_address: str = "Timeward, postal address not configured"
    # How long before a significant privacy-notice change takes effect every affected
    # account is told (docs/accountability.md, "Notice versions"); never fewer than 30.
    notice_change_days: int = 30

    @property
    def breach_contact_point(self) -> str:
        return self.breach_contact or self.dpo or self.contact


def load_processor_settings() -> ProcessorSettings:
    defaults = ProcessorSettings()
    days = _env("TIMEWARD_SUBPROCESSOR_OBJECTION_DAYS", str(defaults.sub_processor_objection_days))
    objection_days = int(days or defaults.sub_processor_objection_days)
    if not 1 <= objection_days <= 365:
        raise ValueError("TIMEWARD_SUBPROCESSOR_OBJECTION_DAYS must be between 1 and 365")
    raw_notice_days = _env("TIMEWARD_NOTICE_CHANGE_DAYS", str(defaults.notice_change_days))
    notice_days = int(raw_notice_days or defaults.notice_change_days)
    if not MIN_NOTICE_CHANGE_DAYS <= notice_days <= 365:
        raise ValueError("TIMEWARD_NOTICE_CHANGE_DAYS must be between 30 and 365")
    return ProcessorSettings(
        name=_env("TIMEWARD_PROCESSOR_NAME", defaults.name) or defaults.name,
        contact=_env("TIMEWARD_PROCESSOR_CONTACT", defaults.contact) or defaults.contact,
        dpo=_env("TIMEWARD_PROCESSOR_DPO"),
        breach_contact=_env("TIMEWARD_BREACH_CONTACT"),
        sub_processor_objection_days=objection_days,
        postal_address=_postal_address(defaults.postal_address),
        notice_change_days=notice_days,
    )


def _postal_address(default: str) -> str:
    """``TIMEWARD_PROCESSOR_POSTAL_ADDRESS``: one line (it ends every optional mail)."""
    address = (_env("TIMEWARD_PROCESSOR_POSTAL_ADDRESS") or default).strip()
    if "\n" in address or "\r" in address or len(address) > 300:
        raise ValueError(
            "TIMEWARD_PROCESSOR_POSTAL_ADDRESS must be one line of at most 300 characters"
        )
    return address


@dataclass(frozen=True)
class PrivacySettings:
    """Data-subject requests: how long an export stays downloadable, and how many
    requests may be filed per window: at the public intake per client address and per
    e-mail address, in the app per member."""

    export_days: int = 7
    intake_per_address: int = 10
    intake_window_seconds: int = 3600
    intake_per_email: int = 5
    filings_per_member: int = 5


def load_privacy_settings() -> PrivacySettings:
    defaults = PrivacySettings()
    export_days = int(_env("TIMEWARD_PRIVACY_EXPORT_DAYS", str(defaults.export_days)) or 7)
    if not 1 <= export_days <= 90:
        raise ValueError("TIMEWARD_PRIVACY_EXPORT_DAYS must be between 1 and 90")
    limit = int(_env("TIMEWARD_PRIVACY_INTAKE_LIMIT", str(defaults.intake_per_address)) or 10)
    window = int(
        _env("TIMEWARD_PRIVACY_INTAKE_WINDOW_SECONDS", str(defaults.intake_window_seconds))
        or defaults.intake_window_seconds
    )
    per_email = int(_env("TIMEWARD_PRIVACY_INTAKE_EMAIL_LIMIT") or defaults.intake_per_email)
    per_member = int(_env("TIMEWARD_PRIVACY_FILING_LIMIT") or defaults.filings_per_member)
    if min(limit, window, per_email, per_member) < 1:
        raise ValueError("the privacy request limits and window must be at least 1")
    return PrivacySettings(export_days, limit, window, per_email, per_member)


def _bounded_int(name: str, default: int, low: int, high: int) -> int:
    value = int(_env(name) or default)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


def load_trusted_proxies() -> tuple[str, ...]:
    """``TIMEWARD_TRUSTED_PROXIES``: comma-separated addresses or networks (CIDR) of the
    reverse proxies whose X-Forwarded-For/-Proto are believed. Empty: none, so the
    client's address is the TCP peer's and a forwarded header is ignored."""
    raw = _env("TIMEWARD_TRUSTED_PROXIES") or ""
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry)
        except ValueError as exc:
            raise ValueError(
                f"TIMEWARD_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from exc
    return entries


def load_smtp_settings() -> SmtpSettings:
    defaults = SmtpSettings()
    return SmtpSettings(
        host=_env("SMTP_HOST", defaults.host) or defaults.host,
        port=int(_env("SMTP_PORT", str(defaults.port)) or defaults.port),
        sender=_env("SMTP_FROM", defaults.sender) or defaults.sender,
        username=_env("SMTP_USERNAME"),
        password=_env("SMTP_PASSWORD"),
        starttls=_flag("SMTP_STARTTLS", defaults.starttls),
    )


@dataclass(frozen=True)
class SsoSettings:
    """Single sign-on (docs/identity-and-roles.md): how long we wait for an identity
    provider, how long a started sign-in may take, how often an unknown key id may make
    us fetch a provider's key set again."""

    timeout_seconds: float = 10.0
    login_minutes: int = 10
    jwks_refetch_seconds: float = 10.0
    leeway_seconds: int = 60


def load_sso_settings() -> SsoSettings:
    return SsoSettings(
        timeout_seconds=float(_bounded_int("TIMEWARD_SSO_TIMEOUT_SECONDS", 10, 1, 120)),
        login_minutes=_bounded_int("TIMEWARD_SSO_LOGIN_MINUTES", 10, 1, 60),
        jwks_refetch_seconds=float(_bounded_int("TIMEWARD_SSO_JWKS_REFETCH_SECONDS", 10, 0, 3600)),
    )


@dataclass(frozen=True)
class WebhookSettings:
    """Outgoing webhooks and OpenDSR callbacks (docs/machine-api.md). ``private_networks``
    lets a tenant opt an endpoint in to private, loopback and link-local addresses: for
    development and tests only (refused in production). ``retry_seconds``: the waits
    between attempts; after the last, the endpoint is disabled and the admins told."""

    private_networks: bool = False
    retry_seconds: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)  # ~ a day
    timeout_seconds: float = 10.0


def load_webhook_settings(environment: str) -> WebhookSettings:
    private = _flag("TIMEWARD_WEBHOOKS_PRIVATE_NETWORKS", False)
    if private and environment == "production":
        raise ValueError("TIMEWARD_WEBHOOKS_PRIVATE_NETWORKS is for development only")
    return WebhookSettings(private_networks=private)


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    database_owner_url: str | None = None
    app_role: str = APP_ROLE_DEFAULT
    data_dir: Path = field(default_factory=lambda: Path(".timeward"))
    environment: str = "development"
    broker_url: str | None = None
    log_json: bool = False
    db_pool_size: int = 10
    master_key: str | None = None
    token_issuer: str = "timeward"
    token_audience: str = "timeward-api"
    access_token_seconds: int = 900
    refresh_token_days: int = 30
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_window_seconds: int = 900
    invitation_hours: int = 72
    password_reset_minutes: int = 60
    password_resets_per_account: int = 3
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    processor: ProcessorSettings = field(default_factory=ProcessorSettings)
    public_url: str = "http://127.0.0.1:8000"
    queue_namespace: str | None = None
    instruction_batch_size: int = 1000
    instruction_slice_seconds: float = 30.0
    offboarding_grace_days: int = 7
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    trusted_proxies: tuple[str, ...] = ()
    receipt_link_days: int = 365  # after the instruction finished
    session_idle_minutes: int = 30  # web pages: a session unused this long ends
    session_absolute_hours: int = 12  # web pages: every session ends this long after sign-in
    sso: SsoSettings = field(default_factory=SsoSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def receipt_link_lifetime(self) -> timedelta:
        return timedelta(days=self.receipt_link_days)

    @property
    def offboarding_grace(self) -> timedelta:
        return timedelta(days=self.offboarding_grace_days)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def resolve_master_key(self) -> bytes:
        if self.master_key:
            return decode_master_key(self.master_key)
        if self.is_production:
            raise MasterKeyError("TIMEWARD_MASTER_KEY is required in production")
        return local_master_key(self.data_dir)

    def with_databases(self, app_url: str, owner_url: str) -> Settings:
        return replace(self, database_url=app_url, database_owner_url=owner_url)


def load_settings() -> Settings:
    environment = _env("TIMEWARD_ENV", "development") or "development"
    return Settings(
        database_url=_env("DATABASE_URL"),
        database_owner_url=_env("DATABASE_OWNER_URL"),
        app_role=_env("TIMEWARD_APP_ROLE", APP_ROLE_DEFAULT) or APP_ROLE_DEFAULT,
        data_dir=Path(_env("TIMEWARD_DATA_DIR", ".timeward") or ".timeward").resolve(),
        environment=environment,
        broker_url=_env("BROKER_URL"),
        log_json=(_env("TIMEWARD_LOG_JSON") or ("1" if environment == "production" else "0"))
        == "1",
        db_pool_size=int(_env("TIMEWARD_DB_POOL_SIZE", "10") or "10"),
        master_key=_env("TIMEWARD_MASTER_KEY"),
        token_issuer=_env("TIMEWARD_TOKEN_ISSUER", "timeward") or "timeward",
        smtp=load_smtp_settings(),
        processor=load_processor_settings(),
        public_url=_env("TIMEWARD_PUBLIC_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000",
        queue_namespace=_env("TIMEWARD_QUEUE_NAMESPACE"),
        instruction_batch_size=int(_env("TIMEWARD_INSTRUCTION_BATCH_SIZE", "1000") or "1000"),
        instruction_slice_seconds=float(_env("TIMEWARD_INSTRUCTION_SLICE_SECONDS", "30") or "30"),
        offboarding_grace_days=_grace_days(),
        privacy=load_privacy_settings(),
        trusted_proxies=load_trusted_proxies(),
        receipt_link_days=_bounded_int("TIMEWARD_RECEIPT_LINK_DAYS", 365, 1, 3650),
        invitation_hours=_bounded_int("TIMEWARD_INVITATION_HOURS", 72, 1, 720),
        password_reset_minutes=_bounded_int("TIMEWARD_PASSWORD_RESET_MINUTES", 60, 1, 1440),
        session_idle_minutes=_bounded_int("TIMEWARD_SESSION_IDLE_MINUTES", 30, 1, 1440),
        session_absolute_hours=_bounded_int("TIMEWARD_SESSION_ABSOLUTE_HOURS", 12, 1, 168),
        sso=load_sso_settings(),
        webhooks=load_webhook_settings(environment),
    )


def _grace_days() -> int:
    """Days between an offboarding instruction and the start of deletion (cancelable)."""
    days = int(_env("TIMEWARD_OFFBOARDING_GRACE_DAYS", "7") or "7")
    if not 0 <= days <= 90:
        raise ValueError("TIMEWARD_OFFBOARDING_GRACE_DAYS must be between 0 and 90")
    return days
