"""Domain errors: a stable machine code for the API and a Vietnamese message for people."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            **({"details": self.details} if self.details else {}),
        }


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ValidationFailed(DomainError):
    code = "validation_failed"


class StaleVersion(DomainError):
    """Someone else changed the object since the user loaded it."""

    code = "stale_version"


class NotFound(DomainError):
    code = "not_found"
