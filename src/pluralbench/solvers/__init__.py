"""Solvers: generate modes, few-shot steering, response selection."""
