"""Prompt templates of the statement generation pipeline: statement writer and agreement check.

The writer proposes statements with intended labels; the checker, in a separate conversation,
sees the persona and the shuffled statements without their labels and says for each whether the
persona would agree. Model-written text (earlier statements, candidates) is placed between
markers carrying a per-prompt random token, and the models are told that it is data.
"""

PERSONA_PROFILE = """\
Framework: {framework}
{framework_description}

Type: {label}
{description}"""
"""How a framework persona is shown to both models."""

TOPICS = (
    "social interaction",
    "energy and rest",
    "decision making",
    "planning",
    "taking in and processing information",
    "values",
    "emotions",
    "problem solving",
)
"""Areas a persona's statements should cover; each round focuses on a few of them."""

CONTEXTS = ("work", "home", "friendships", "a crisis", "leisure time", "family", "study", "travel")
"""Situations a persona's statements should be set in; each round names a few of them."""

STATEMENT_WRITER = """\
You are writing items for a study of how well people can be predicted from a personality \
profile. Each item is a short first-person statement that the person described below would either \
agree with or disagree with.

{notice}

[BEGIN PERSONA {nonce}]
{persona}
[END PERSONA {nonce}]

Write {n_agree} statements this person would agree with and {n_disagree} statements this person \
would disagree with.

Rules for every statement:
- First person, about what the speaker does, prefers or believes ("I would...", "I believe...", \
"I tend to...").
- Concrete and behavioural: a specific situation, habit or choice, not a list of traits or a \
paraphrase of the profile.
- One sentence of 30 to 160 characters.
- Do not name the framework, the type or its label.
- A statement the person would disagree with must still be a view that other people sincerely \
hold, not a caricature or an obviously wrong claim.
- Nothing that almost everyone would agree with, or almost everyone would reject.
- Each statement about something different from the others.

This time, write mostly about {topics}, in situations involving {contexts}.
{collected}
Reply with only a JSON object of this form:
{{"agree": ["<statement>", ...], "disagree": ["<statement>", ...]}}"""

COLLECTED_STATEMENTS = """
These statements were already collected for this person. Do not repeat or paraphrase them:
[BEGIN COLLECTED {nonce}]
{statements}
[END COLLECTED {nonce}]
"""
"""Inserted into ``STATEMENT_WRITER`` when the persona already has statements."""

AGREEMENT_CHECK = """\
Below are a personality profile and a numbered list of first-person statements. For each \
statement, decide how the person described by the profile would respond if asked whether the \
statement is true of them:
- "agree": they would say it fits them;
- "disagree": they would say it does not fit them;
- "unclear": the profile gives no clear basis either way, or nearly anyone would answer the same.

Judge each statement on its own, from the profile alone. The list mixes statements of both kinds \
in no particular order.

{notice}

[BEGIN PERSONA {nonce}]
{persona}
[END PERSONA {nonce}]

[BEGIN STATEMENTS {nonce}]
{statements}
[END STATEMENTS {nonce}]

Reply with only a JSON object with one verdict for each statement number:
{{"verdicts": [{{"number": 1, "verdict": "agree"}}, {{"number": 2, "verdict": "unclear"}}, ...]}}"""
