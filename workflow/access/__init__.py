"""API tokens: issuing, verifying, listing and revoking them; the roles they carry.
"""

from workflow.access.models import TOKEN_ROLES, ApiToken
from workflow.access.tokens import (
    TokenCreate,
    TokenRefused,
    active_local_admin,
    find_token,
    get_token,
    issue_local_admin_token,
    issue_token,
    list_tokens,
    looks_like_token,
    mark_used,
    revoke_token,
    token_status,
    verify_token,
)

__all__ = [
    "TOKEN_ROLES",
    "ApiToken",
    "TokenCreate",
    "TokenRefused",
    "active_local_admin",
    "find_token",
    "get_token",
    "issue_local_admin_token",
    "issue_token",
    "list_tokens",
    "looks_like_token",
    "mark_used",
    "revoke_token",
    "token_status",
    "verify_token",
]
