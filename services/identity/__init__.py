"""capreg identity: KYC, credentials, OAuth 2."""
