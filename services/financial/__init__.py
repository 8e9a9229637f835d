"""capreg financial services: bid guarantees and auction settlement."""
