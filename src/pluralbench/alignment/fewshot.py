"""Choosing few-shot examples from the train pool: similar prompts that cover the attribute levels.

Similarity is the Jaccard overlap of content words between prompts (no model, no network).
Selection walks the pool from the most similar prompt down, first taking examples that show
a level of the attribute(s) not shown yet, then filling the remaining slots by similarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pluralbench._text import content_words, jaccard
from pluralbench.alignment.geometry import label_value, level_of
from pluralbench.alignment.types import AlignmentItem, ExampleKind, FewShotExample


class ExamplePool:
    """The train items with their prompts' content words computed once.

    Args:
        items: The train split.
        name: Short description, shown as the solver argument in logs instead of every item.
    """

    def __init__(self, items: Sequence[AlignmentItem], name: str = "few-shot pool") -> None:
        """Index the items; see the class docstring."""
        self.items = list(items)
        self.by_id = {item.item_id: item for item in self.items}
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

    def examples_for(self, kind: ExampleKind, prompt: str, target: Mapping[str, float], n: int) -> list[FewShotExample]:
        """Choose the few-shot examples of one sample for a method that uses ``kind`` examples.

        Args:
            kind: How the method uses examples (see :data:`~pluralbench.alignment.types.ExampleKind`).
            prompt: The sample's prompt (examples come from similar prompts).
            target: The sample's target (its attributes decide which levels the examples cover).
            n: Examples per call (per attribute for the rating methods); 0 for none.

        Returns:
            The examples, grouped by attribute in target order for the rating methods.
        """
        if kind == "choices":
            return [FewShotExample(item_id=item.item_id) for item in self.select_items(prompt, list(target), n)]
        if kind == "ratings":
            return [
                FewShotExample(item_id=item.item_id, attribute=attribute)
                for attribute in target
                for item in self.select_items(prompt, [attribute], n)
            ]
        if kind == "single_ratings":
            return [
                FewShotExample(item_id=item.item_id, attribute=attribute, response=position)
                for attribute in target
                for item, position in self.select_responses(prompt, attribute, n)
            ]
        return []
