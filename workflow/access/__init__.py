"""Who may act: API tokens (issuing, verifying, listing, revoking), people signing in with emailed
one-time links and the browser sessions those open, the access role a contact signs in with, and
the ``Principal`` both adapters authorize with. A deactivated contact signs in no more and their
sessions end. API tokens are not tied to a person (they name a holder, a role and an institution),
so deactivating someone changes no token: revoke the ones they held.
"""

from workflow.access.models import TOKEN_ROLES, ApiToken, SignInLink, WebSession
from workflow.access.people import access_role_of, principal_of_contact
from workflow.access.principal import Principal
from workflow.access.sign_in import (
    LOCAL_ADMIN_EMAIL,
    IssuedLink,
    OpenedSession,
    SignedIn,
    contacts_with_address,
    end_session,
    end_sessions_of,
    issue_link_for,
    link_language,
    local_admin_person,
    redeem_link,
    request_links,
    session_principal,
    sign_in_url,
)
from workflow.access.tokens import (
    TokenCreate,
    TokenFacts,
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
    use_is_due,
    verify_token,
)

__all__ = [
    "LOCAL_ADMIN_EMAIL",
    "contacts_with_address",
    "link_language",
    "local_admin_person",
    "IssuedLink",
    "OpenedSession",
    "Principal",
    "SignInLink",
    "SignedIn",
    "WebSession",
    "access_role_of",
    "end_session",
    "end_sessions_of",
    "issue_link_for",
    "principal_of_contact",
    "redeem_link",
    "request_links",
    "session_principal",
    "sign_in_url",
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
    "TokenFacts",
    "token_status",
    "use_is_due",
    "verify_token",
]
