"""``python -m clonesim.config > docs/config.md``: the key reference, from the schema."""

from .schema import schema_markdown

print(schema_markdown())
