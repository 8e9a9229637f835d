"""Envelope, transactional outbox and relay, idempotent consumer with dead-lettering, bus epochs."""
