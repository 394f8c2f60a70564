"""The leak audit: every output searched for withheld text, in its text and its raw bytes."""
