"""Prompt templates of the steerability task: the steering context and the agreement questions.

The steering context is the system message and depends only on the steered persona, so it is
a stable prefix that provider prompt caching can reuse across all of that persona's calls.
"""

STEERING_SYSTEM = """\
Your job is to predict how one particular person reacts to statements about attitudes, habits \
and values.

{framework}

Below are statements this person has already reacted to, each marked with whether they agree \
or disagree. Work out from them what this person is like.

{examples}"""
"""System message: the framework section, then the steering statements of one persona."""

FRAMEWORK_SECTION = """\
The person was characterized with the {framework} framework. About that framework: {description}"""
"""Framework name and description (always shown)."""

LABEL_SECTION = """\
Within that framework, this person is: {label}"""
"""The persona's label in its framework (shown only with ``include_label``)."""

EXAMPLE_LINE = "- {verdict}: {statement}"
"""One steering statement with the persona's reaction."""

AGREE_VERDICT = "Agrees"
DISAGREE_VERDICT = "Disagrees"

NO_EXAMPLES = "(No reactions of this person are shown; rely on the framework alone.)"
"""Replaces the list of steering statements when ``n_steer=0``."""

SINGLE_QUESTION = """\
Statement: {statement}

Would this person agree with the statement? Reply with exactly one letter: Y if they would \
agree, N if they would disagree."""
"""User message for one test statement."""

BATCH_LINE = "{number}. {statement}"
"""One numbered test statement of a multi-statement call."""

BATCH_QUESTION = """\
Statements:
{statements}

For each numbered statement, would this person agree with it? Reply with one JSON object and \
nothing else. It maps every statement number (as a string) to true if the person would agree or \
false if they would disagree, for example {{"1": true, "2": false}}."""
"""User message for several test statements answered in one structured reply."""
