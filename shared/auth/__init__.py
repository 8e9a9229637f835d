"""Verification of identity-issued access tokens, shared by every service."""

from shared.auth.principal import Principal, Role
from shared.auth.verify import JwksClient, RevocationList, TokenVerifier

__all__ = ["JwksClient", "Principal", "RevocationList", "Role", "TokenVerifier"]
