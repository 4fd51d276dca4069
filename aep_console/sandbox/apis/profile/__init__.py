"""Real-Time Customer Profile: the in-memory identity graphs and merge, its index, and the Profile Access API."""
