"""benefice: document and measure the benefits of the secondary use of health data."""

__version__ = "0.1.0"
