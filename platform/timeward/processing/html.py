"""The record of processing as a readable HTML page. Every value is escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from timeward.processing.schemas import Party, ProcessingRecord

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#1b1b1b}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}dt{font-weight:600}dd{margin:0 0 .5rem 0}"
)
# The page needs no script, image or external resource: forbid them all.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _party(title: str, party: Party, extra: list[tuple[str, str]]) -> str:
    rows = [("Name", party.name), ("Contact details", party.contact), *extra]
    if party.dpo:
        rows.append(("Data protection officer", party.dpo))
    if party.representative:
        rows.append(("Representative (Art. 27)", party.representative))
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return f"<section><h2>{_e(title)}</h2><dl>{items}</dl></section>"


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(record: ProcessingRecord) -> str:
    data_controller = record.data_controller
    where = data_controller.country + (
        f"-{data_controller.subdivision}" if data_controller.subdivision else ""
    )
    categories = "".join(
        f"<h3>{_e(c.name)}</h3><p>{_e(c.purpose)}</p>"
        f"<p>Data subjects:</p>{_list(c.data_subjects)}"
        f"<p>Personal data:</p>{_list(c.personal_data)}"
        for c in record.categories_of_processing
    )
    sub_processors = _table(
        ["Name", "Purpose", "Location", "Data categories", "Transfer safeguard"],
        [
            [
                _e(s.name),
                _e(s.purpose),
                _e(s.location),
                _e(", ".join(s.data_categories)),
                _e(s.transfer_safeguard or "none (no transfer)"),
            ]
            for s in record.sub_processors.entries
        ],
        "No sub-processors are registered.",
    )
    transfers = _table(
        ["Recipient", "Location", "Safeguard"],
        [[_e(t.recipient), _e(t.location), _e(t.safeguard)] for t in record.transfers],
        "No transfers of personal data to third countries or international organisations.",
    )
    measures = "".join(f"<h3>{_e(m.area)}</h3>{_list(m.items)}" for m in record.security_measures)
    disclosures = _table(
        ["Authority", "Legal instrument", "Received", "Categories", "Decision", "SHA-256"],
        [
            [
                _e(d.authority),
                _e(f"{d.instrument} ({d.reference})"),
                _e(d.received_at.isoformat()),
                _e(", ".join(d.categories)),
                _e(d.decision or "open"),
                _e(d.sha256 or ""),
            ]
            for d in record.disclosures_to_authorities
        ],
        "No request from an authority has been notified.",
    )
    title = f"Record of processing activities for {data_controller.name}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f"<p>Kept by {_e(record.processor.name)} as processor (GDPR Art. 30(2)). "
        f"Generated {_e(record.generated_at.isoformat())}.</p>"
        + _party("Processor", record.processor, [])
        + _party("Controller", data_controller, [("Country", where)])
        + f"<section><h2>Categories of processing</h2>{categories}</section>"
        + f"<section><h2>Sub-processors (registry version "
        f"{_e(record.sub_processors.registry_version)})</h2>{sub_processors}</section>"
        + f"<section><h2>Transfers to third countries</h2>{transfers}</section>"
        + f"<section><h2>Technical and organisational measures</h2>{measures}</section>"
        + f"<section><h2>Disclosures to authorities</h2>{disclosures}</section>"
        + "</body></html>\n"
    )
