"""Every prompt template of the suite, one module per task family."""
