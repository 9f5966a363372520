"""Prompt templates of the steerability task: the steering context and the agreement questions.

The steering context is the system message and depends only on the steered persona (and the
run's fence nonce), so it is a stable prefix that provider prompt caching can reuse across all
of that persona's calls. Text from the data (framework, label, statements) is fenced
(:mod:`pluralbench._fence`): the model is told it is material, not instructions.
"""

FRAMEWORK_LABEL = "FRAMEWORK"
TYPE_LABEL = "LABEL"
EXAMPLE_LABEL = "EXAMPLE"
STATEMENT_LABEL = "STATEMENT"
"""Fence labels; example and batched statement labels are followed by their number."""

STEERING_SYSTEM = """\
Your job is to predict how one particular person reacts to statements about attitudes, habits \
and values.

{notice}

{framework}

Below are statements this person has already reacted to, each marked with whether they agree \
or disagree. Work out from them what this person is like.

{examples}"""
"""System message: the framework section, then the steering statements of one persona."""

FRAMEWORK_SECTION = """\
The person was characterized with a personality framework; its name and description:
{framework}"""
"""Framework name and description, fenced (always shown)."""

FRAMEWORK_TEXT = "{framework}: {description}"
"""What the framework fence holds."""

LABEL_SECTION = """\
Within that framework, this person is:
{label}"""
"""The persona's fenced label in its framework (shown only with ``include_label``)."""

EXAMPLE_LINE = """\
{verdict}:
{statement}"""
"""One steering statement (fenced) with the persona's reaction."""

AGREE_VERDICT = "Agrees"
DISAGREE_VERDICT = "Disagrees"

NO_EXAMPLES = "(No reactions of this person are shown; rely on the framework alone.)"
"""Replaces the list of steering statements when ``n_steer=0``."""

SINGLE_QUESTION = """\
{statement}

Would this person agree with the statement between the STATEMENT markers? Reply with exactly \
one letter: Y if they would agree, N if they would disagree."""
"""User message for one test statement."""

BATCH_QUESTION = """\
{statements}

For each numbered statement (STATEMENT 1 to STATEMENT {count} above), would this person agree \
with it? Reply with one JSON object and nothing else. It maps every statement number (as a \
string) to true if the person would agree or false if they would disagree, for example \
{{"1": true, "2": false}}."""
"""User message for several test statements answered in one structured reply."""
