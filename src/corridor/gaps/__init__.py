"""Gap analysis: people in need against people reached, per township, sector and month."""
