"""What every service's HTTP edge shares: error mapping, request context, health endpoints."""
