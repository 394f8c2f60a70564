"""Redaction on pandoc's AST: one version per audience, and what was withheld."""
