"""Impact cases: what a reuse of health data changed (publications, the policy decisions they informed,
figures with their sources, a timeline), and the ranking of cases built on them (pure core in
``catalogue`` and ``rank``). Figures are coded against ``benefice.indicators``."""
