"""Engine factory, metadata conventions, the infrastructure tables and the unit of work."""
