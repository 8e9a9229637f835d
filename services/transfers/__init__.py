"""capreg transfers: the §95921 transfer workflow."""
