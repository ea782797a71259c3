"""The one error type services raise: a message a person can act on, a code, and a field."""


class ServiceError(Exception):
    """A refusal with a message for people, a stable code for programs and the field at fault."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_dict(self) -> dict:
        return {"message": self.message, "code": self.code, "field": self.field}


class NotFound(ServiceError):
    """The object does not exist, or the user may not know that it does."""

    def __init__(self, message: str = "Not found", *, field: str | None = None):
        super().__init__(message, code="not_found", field=field)
