"""The build: the pipeline's stages, checking and redacting every report, staging and the swap."""
