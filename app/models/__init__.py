"""All tables, imported together so Alembic, the mapper and the tests see one metadata."""

from app.models.agencies import Agency, ApiClient

__all__ = ["Agency", "ApiClient"]
