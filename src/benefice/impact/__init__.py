"""Impact framework: indicator catalogue, impact cases and their ranking (pure core, no Django)."""
