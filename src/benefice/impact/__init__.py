"""Impact framework: use typology, indicator catalogue, impact cases (pure core, no Django)."""
