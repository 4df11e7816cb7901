"""The indicator catalogue (what a benefit is measured in, with its pitfalls) and the values of each
indicator across the cases' figures (pure core in ``catalogue`` and ``values``)."""
