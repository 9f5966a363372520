"""Choosing few-shot examples from the train pool: similar prompts that cover the attribute levels.

Similarity is the Jaccard overlap of content words between prompts (no model, no network).
Selection walks the pool from the most similar prompt down, first taking examples that show
a level of the attribute(s) not shown yet, then filling the remaining slots by similarity.
"""

from __future__ import annotations

from collections.abc import Sequence

from pluralbench.datasets.alignment import AlignmentItem
from pluralbench.datasets.alignment_geometry import label_value, level_of
from pluralbench.datasets.statement_quality import content_words, jaccard


class ExamplePool:
    """The train items with their prompts' content words computed once.

    Args:
        items: The train split.
        name: Short description, shown as the solver argument in logs instead of every item.
    """

    def __init__(self, items: Sequence[AlignmentItem], name: str = "few-shot pool") -> None:
        """Index the items; see the class docstring."""
        self.items = list(items)
        self.name = f"{name} ({len(self.items)} items)"
        self._words = [content_words(item.prompt) for item in self.items]

    def ranked(self, prompt: str) -> list[int]:
        """Return pool indices from the most to the least similar prompt (ties by item id).

        Args:
            prompt: The prompt being answered.

        Returns:
            Indices into :attr:`items`.
        """
        words = content_words(prompt)
        similarity = [jaccard(words, other) for other in self._words]
        return sorted(range(len(self.items)), key=lambda index: (-similarity[index], self.items[index].item_id))

    def select_items(self, prompt: str, attributes: Sequence[str], n: int) -> list[AlignmentItem]:
        """Return up to ``n`` similar items that together show many levels of the attributes.

        Args:
            prompt: The prompt being answered.
            attributes: Attributes whose levels the examples should cover.
            n: Number of examples.

        Returns:
            The chosen items, most similar first.
        """
        if n <= 0:
            return []
        ranked = self.ranked(prompt)
        covered: set[tuple[str, float]] = set()
        chosen: list[int] = []
        for index in ranked:
            if len(chosen) == n:
                break
            levels = {
                (name, level_of(label_value(labels, name)))
                for labels in self.items[index].labels
                for name in attributes
            }
            if levels - covered:
                chosen.append(index)
                covered |= levels
        chosen.extend([index for index in ranked if index not in chosen][: n - len(chosen)])
        return [self.items[index] for index in sorted(chosen, key=ranked.index)]

    def select_responses(self, prompt: str, attribute: str, n: int) -> list[tuple[AlignmentItem, int]]:
        """Return up to ``n`` single responses of similar items that cover the attribute's levels.

        Args:
            prompt: The prompt being answered.
            attribute: The attribute being scored.
            n: Number of examples.

        Returns:
            ``(item, response index)`` pairs, most similar item first.
        """
        if n <= 0:
            return []
        ranked = self.ranked(prompt)
        covered: set[float] = set()
        chosen: list[tuple[int, int]] = []
        for index in ranked:
            if len(chosen) == n:
                break
            for position, labels in enumerate(self.items[index].labels):
                level = level_of(label_value(labels, attribute))
                if level not in covered:
                    chosen.append((index, position))
                    covered.add(level)
                    break
        taken = set(chosen)
        for index in ranked:
            if len(chosen) >= n:
                break
            free = [
                (index, position)
                for position in range(len(self.items[index].responses))
                if (index, position) not in taken
            ]
            if free:
                chosen.append(free[0])
                taken.add(free[0])
        chosen.sort(key=lambda pair: (ranked.index(pair[0]), pair[1]))
        return [(self.items[index], position) for index, position in chosen]
