"""What a client is told about a breach: the Art. 33(3) content, and its notice text."""

from __future__ import annotations

from typing import Any

from timeward.breaches.models import Breach
from timeward.config import ProcessorSettings
from timeward.links import link

FOLLOW_UP_KIND = "breach.follow_up"
KIND = "breach.reported"
UNKNOWN = "not yet known"


def notice_content(breach: Breach, affected_components: list[str]) -> dict[str, Any]:
    """The copy kept on each client's notice: the fields a controller needs for its own
    notification to the supervisory authority (Art. 33(3)). Nothing about other clients."""
    return {
        "title": breach.title,
        "discovered_at": breach.discovered_at.isoformat(),
        "nature": breach.description,
        "data_categories": list(breach.data_categories),
        "subject_categories": list(breach.subject_categories),
        "approx_subjects": breach.approx_subjects,
        "approx_records": breach.approx_records,
        "likely_consequences": breach.likely_consequences,
        "measures_taken": breach.measures_taken,
        "measures_proposed": breach.measures_proposed,
        "contact_point": breach.contact_point,
        "affected_components": affected_components,
    }


def _number(value: object) -> str:
    return UNKNOWN if value is None else f"about {value} (all affected clients together)"


def breach_notice(
    breach_id: str, content: dict[str, Any], tenant_name: str, processor: ProcessorSettings
) -> tuple[str, str, str]:
    """(notification kind, subject, body) for one tenant's client admins."""
    title = " ".join(str(content["title"]).split())
    subject = f"Personal data breach notice from {processor.name}: {title}"
    components = content.get("affected_components") or []
    lines = [
        f"To the client administrators of {tenant_name},",
        "",
        f"{processor.name}, your processor, notifies you of a personal data breach that",
        "concerns your organisation's data (GDPR Art. 33(2)). As the controller, you decide",
        "whether to notify your supervisory authority (Art. 33(1): within 72 hours of",
        "becoming aware) and the people concerned (Art. 34).",
        "",
        f"Reference: {breach_id}",
        f"Title: {title}",
        f"Discovered: {content['discovered_at']}",
        f"Nature of the breach: {content['nature']}",
        f"Categories of personal data: {', '.join(content['data_categories'])}",
        f"Categories of data subjects: {', '.join(content['subject_categories'])}",
        f"Approximate number of data subjects: {_number(content['approx_subjects'])}",
        f"Approximate number of records: {_number(content['approx_records'])}",
        f"Likely consequences: {content['likely_consequences'] or UNKNOWN}",
        f"Measures taken: {content['measures_taken']}",
        f"Measures proposed: {content['measures_proposed'] or UNKNOWN}",
    ]
    if components:
        lines.append(f"Affected sub-processors: {', '.join(components)}")
    lines += [
        f"Contact point: {content['contact_point']}",
        "",
        f"The full record: {link(f'/api/v1/breaches/{breach_id}')}",
        f"Please acknowledge receipt: POST {link(f'/api/v1/breaches/{breach_id}/acknowledge')}",
    ]
    return KIND, subject, "\n".join(lines)


def breach_follow_up(
    breach_id: str, title: str, information: str, tenant_name: str, processor: ProcessorSettings
) -> tuple[str, str, str]:
    """(notification kind, subject, body) of follow-up information on a breach notice."""
    title = " ".join(title.split())
    subject = f"Personal data breach, further information from {processor.name}: {title}"
    lines = [
        f"To the client administrators of {tenant_name},",
        "",
        f"{processor.name}, your processor, adds information to the breach notice it sent",
        "you earlier (GDPR Art. 33(4): information may be provided in phases).",
        "",
        f"Reference: {breach_id}",
        f"Title: {title}",
        "",
        information,
        "",
        f"The full record: {link(f'/api/v1/breaches/{breach_id}')}",
    ]
    return FOLLOW_UP_KIND, subject, "\n".join(lines)
