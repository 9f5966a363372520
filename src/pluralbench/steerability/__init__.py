"""Steerability: few-shot steering to framework personas, scored on own and other personas' statements."""
