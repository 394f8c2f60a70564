"""Checking a report: its front matter, where its words are written, and the fail-closed rules."""
