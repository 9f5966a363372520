"""Prompt of the optional model-based controversy filter for PRISM prompts."""

CONTROVERSY_CHECK = """\
Would people with different values, beliefs or backgrounds want substantially different answers \
to the question below? Answer true for contested, value-laden questions and false for questions \
with one answer most people would accept.

Question: {question}

Reply with only a JSON object: {{"contested": <true or false>}}"""
