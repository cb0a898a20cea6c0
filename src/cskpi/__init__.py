"""cskpi: online customer-service performance assessment."""

__version__ = "0.1.0"
