"""The AEP client: async httpx + pydantic, one client per AEP service (no Qt)."""

from .config import ClientCredentials, Endpoints, RetryPolicy, Timeouts
from .errors import (
    AEPError, AuthError, BadRequestError, ConfigError, ConflictError, ForbiddenError, InsecureEndpointError,
    NetworkError, NotFoundError, PayloadTooLarge, PreconditionFailed, RateLimited, RequestTimeout,
    ServerError, ServiceUnavailable, TokenError, UnprocessableError, ValidationFailed,
)
from .session import AEPSession
from .transport import Exchange, Reply

__all__ = [
    "AEPError", "AEPSession", "AuthError", "BadRequestError", "ClientCredentials", "ConfigError",
    "ConflictError", "Endpoints", "Exchange", "ForbiddenError", "InsecureEndpointError", "NetworkError",
    "NotFoundError", "PayloadTooLarge", "PreconditionFailed", "RateLimited", "Reply", "RequestTimeout",
    "RetryPolicy", "ServerError", "ServiceUnavailable", "Timeouts", "TokenError", "UnprocessableError",
    "ValidationFailed",
]
