"""File downloads shared by the API and the pages: an export's zip, never cached."""

from __future__ import annotations

from litestar import Response

from tenants.privacy_requests.models import PrivacyExport

ZIP = "application/zip"


def zip_response(export: PrivacyExport) -> Response[bytes]:
    """The export's zip as an attachment named after its request."""
    assert export.content is not None
    return Response(
        export.content,
        media_type=ZIP,
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-{export.request_id}.zip"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
