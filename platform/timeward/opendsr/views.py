"""OpenDSR response bodies."""

from __future__ import annotations

from typing import Any

from timeward.opendsr.callbacks import API_VERSION, SIGNATURE_FORMAT
from timeward.opendsr.schemas import Discovery, OpenDsrResponse
from timeward.opendsr.service import SUPPORTED_TYPES, Outcome


def request_view(outcome: Outcome, results_url: str | None) -> OpenDsrResponse:
    request = outcome.request
    return OpenDsrResponse(
        api_version=request.api_version,
        controller_id=request.tenant_id,
        subject_request_id=request.subject_request_id,
        subject_request_type=request.subject_request_type,
        request_status=outcome.status,
        received_time=request.received_time,
        expected_completion_time=request.expected_completion_time,
        encoded_request=request.encoded_request,
        processor_signature=request.processor_signature,
        results_count=outcome.results_count,
        results_url=results_url,
        instruction_id=request.instruction_id,
        privacy_request_id=request.privacy_request_id,
    )


def discovery_view(domain: str, jwks_url: str, jwks: dict[str, Any]) -> Discovery:
    return Discovery(
        api_version=API_VERSION,
        supported_api_versions=[API_VERSION],
        supported_identities=[
            {"identity_type": "email", "identity_format": "raw"},
            {"identity_type": "controller_customer_id", "identity_format": "raw"},
        ],
        supported_subject_request_types=list(SUPPORTED_TYPES),
        processor_domain=domain,
        processor_certificate=jwks_url,
        processor_keys=jwks,
        signature_format=SIGNATURE_FORMAT,
    )
