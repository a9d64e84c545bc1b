"""The ${{ values.name }} service (see README.md)."""

__version__ = "0.1.0"
