"""NRM referral exchange API."""

# The one place the version lives: pyproject.toml reads it from here, OpenAPI shows it as
# info.version. Semantic versioning of the HTTP contract (README, "Versioning and
# deprecation"); CHANGELOG.md says what each release changed.
__version__ = "1.0.0"
