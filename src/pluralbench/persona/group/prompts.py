"""Prompt templates of the group task: one answer that all members of a group will read.

The critic's prompt is the persona family's own single-call critic (or debate), unchanged, so a
member's score for the group answer and for an answer written for them alone are comparable.
"""

GROUP_SYSTEM = """\
You are answering for a group of {m} people at once. Each of them asked the question you will \
be given, and all of them will read the same answer: you cannot write separate answers. This is \
what you know about them:

{notice}

{members}

Give the one answer that would serve every one of them best, in light of their circumstances, \
values and backgrounds."""

MEMBER_LABEL = "PERSON {number}"
"""Fence label of the ``number``-th member (1-based) in the group prompt."""

GROUP_MODE_INSTRUCTIONS: dict[str, str] = {
    "output_only": """\
{question}

Write one answer for all of these people. Let who they are shape the content, examples and \
emphasis so that each of them is served, but do not list their attributes back to them or \
address them one by one. Write your answer between <answer> and </answer>.""",
    "chain_of_thought": """\
{question}

First think step by step, between <reasoning> and </reasoning>, about what each of these people \
needs from an answer, where their needs agree and where they pull apart. Then write the one answer \
for all of them between <answer> and </answer>. Only the text between the answer tags is shown to them.""",
    "demographic_summary": """\
{question}

First, between <summary> and </summary>, summarize in two to five sentences which facts about \
these people matter for this question and where they differ. Then write the one answer for all of \
them between <answer> and </answer>. Only the text between the answer tags is shown to them.""",
}
"""User message of each generate mode that shows the group; ``baseline`` shows no one and uses the
persona family's own baseline message."""
