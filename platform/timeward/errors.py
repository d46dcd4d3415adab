"""Domain errors raised by services; the web layer maps them to 4xx responses."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """Absent, or another tenant's: the caller cannot tell which."""

    status_code = 404

    def __init__(self, what: str = "Resource") -> None:
        super().__init__(f"{what} not found.")


class Conflict(DomainError):
    """The request is valid but clashes with the current state."""

    status_code = 409


class InvalidInput(DomainError):
    """Well-formed input the domain rejects (unknown reference, impossible time...)."""

    status_code = 422

    @classmethod
    def on_field(cls, key: str, message: str, source: str = "body") -> InvalidInput:
        """Names the offending field the way request validation errors do."""
        return cls(
            f"Invalid {key}: {message}", errors=[{"key": key, "message": message, "source": source}]
        )


class Gone(DomainError):
    """It existed, and is no longer available (an expired download)."""

    status_code = 410
