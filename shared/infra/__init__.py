"""Starting the real parts locally: embedded PostgreSQL and the tansu Kafka-protocol broker."""
