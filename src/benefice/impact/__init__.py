"""Migrations-only app: see ``apps.ImpactConfig``."""
