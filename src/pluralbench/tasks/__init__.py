"""The suite's inspect tasks, registered as ``pluralbench/<task>``."""
