"""Which health data sources a publication uses, and how it cites them (pure modules, no Django)."""
