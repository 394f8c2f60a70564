"""Email: subscribers, the ledger, composing, cadences, signing and sending, link tokens."""
