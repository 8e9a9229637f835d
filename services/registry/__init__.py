"""capreg registry: entities, accounts, representatives, the serial-number ledger."""
