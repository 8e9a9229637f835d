"""The OAuth 2 authorization server: authlib's synchronous core behind an async edge."""
