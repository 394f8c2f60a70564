"""The commands beyond `build`: preview and review, status, init and new, the daemon, mail."""
