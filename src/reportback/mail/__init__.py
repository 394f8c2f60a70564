"""Email: subscribers, the ledger, composing and sending digests, link tokens, reminders."""
