"""Dataset builders: turn bundled and user data into inspect Samples."""
