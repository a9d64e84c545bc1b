"""${{ values.name }}: the event consumer and the batch workflow steps."""

DESCRIPTION = ${{ values.description | dump }}

__version__ = "0.1.0"
