"""OpenDSR 2.0 request and response bodies (processor side; no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from timeward.fields import AwareDateTime, Body

RequestId = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")]
Regulation = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{1,15}$")]
IdentityValue = Annotated[str, msgspec.Meta(min_length=1, max_length=320, pattern=r"\S")]
CallbackUrl = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^https?://\S+$")]


class SubjectIdentity(Body):
    identity_type: Literal["email", "controller_customer_id"]
    identity_value: IdentityValue
    identity_format: Literal["raw"] = "raw"


class OpenDsrRequestBody(Body):
    subject_request_id: RequestId
    subject_request_type: Literal["erasure", "access", "portability"]
    subject_identities: Annotated[list[SubjectIdentity], msgspec.Meta(min_length=1, max_length=10)]
    submitted_time: AwareDateTime
    regulation: Regulation
    api_version: Literal["2.0"] = "2.0"
    status_callback_urls: Annotated[list[CallbackUrl], msgspec.Meta(max_length=5)] = []
    property_id: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class OpenDsrResponse(msgspec.Struct):
    api_version: str
    controller_id: UUID
    subject_request_id: str
    subject_request_type: str
    request_status: str  # pending, in_progress, completed, cancelled
    received_time: datetime
    expected_completion_time: datetime | None
    encoded_request: str
    processor_signature: str
    results_count: int | None
    results_url: str | None  # an access or portability request's export, once completed
    instruction_id: UUID | None  # an erasure's: follow it at /api/v1/instructions/{id} too
    privacy_request_id: UUID | None  # an export's: in the queue, /api/v1/privacy-requests/{id}


class Discovery(msgspec.Struct):
    api_version: str
    supported_api_versions: list[str]
    supported_identities: list[dict[str, str]]
    supported_subject_request_types: list[str]
    processor_domain: str
    processor_certificate: str  # where the processor's public keys are (a JWKS)
    processor_keys: dict[str, Any]
    signature_format: str
