"""Pandoc: the long-lived worker processes, their Lua server, and helpers for its JSON AST."""
