"""The accountability record: the meetings register, decisions and votes, and their pages."""
