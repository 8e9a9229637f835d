"""Test harness: real PostgreSQL and a real Kafka-protocol broker, services served over real HTTP."""
