"""pluralbench: an inspect-ai evaluation suite for pluralistic alignment."""
