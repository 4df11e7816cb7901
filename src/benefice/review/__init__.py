"""Systematic review screening: active learning, simulation, metrics and stopping aids (pure, no Django)."""
