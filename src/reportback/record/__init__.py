"""The accountability record: the meetings register, decisions and votes, their pages, reminders."""
