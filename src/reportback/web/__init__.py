"""The web service: the site, the feeds and self-service subscriptions, and its guards."""
