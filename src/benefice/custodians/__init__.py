"""Custodians: project registry, benefit records, questionnaires, per-custodian reports, recommendations."""
