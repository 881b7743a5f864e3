"""Fusion of ranked lists (reciprocal-rank fusion), the dense guard, near-duplicate keys."""

from __future__ import annotations

from collections.abc import Sequence

from .. import analysis

DEFAULT_RRF_K = 30  # chosen on the tune splits of both query sets (docs/search.md)

Ranked = list[tuple[str, float]]


def rrf(
    lists: Sequence[Sequence[tuple[str, float]]],
    k: int = DEFAULT_RRF_K,
    weights: Sequence[float] | None = None,
) -> Ranked:
    """Return the reciprocal-rank fusion of ranked lists: sum of w / (k + rank), best first."""
    scores: dict[str, float] = {}
    for i, ranked in enumerate(lists):
        w = weights[i] if weights else 1.0
        for rank, (pid, _) in enumerate(ranked, start=1):
            scores[pid] = scores.get(pid, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def guard(fused: Sequence[tuple[str, float]], protected: Sequence[str], slot: int) -> Ranked:
    """Return fused with the protected ids ranked below slot moved up to end at rank slot.

    The order of the moved ids among themselves, and of all others, is kept; a moved id takes
    the score of the first one it displaces, so that scores never increase down the list.
    """
    wanted = set(protected)
    late = [x for x in fused[slot:] if x[0] in wanted]
    if not late:
        return list(fused)
    moved = {pid for pid, _ in late}
    rest = [x for x in fused if x[0] not in moved]
    cut = slot - len(late)
    score = rest[cut][1]  # rest still holds the ids that ranked between cut and slot
    return [*rest[:cut], *((pid, score) for pid, _ in late), *rest[cut:]]


def duplicate_key(text: str) -> frozenset[str]:
    """Return the folded terms of a text, the key that near-duplicates share."""
    return frozenset(analysis.analyze(text, "folded"))


def same_text(a: frozenset[str], b: frozenset[str]) -> bool:
    """Return whether two duplicate keys are the same text (or nearly: Jaccard >= 0.9)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 8:
        return False
    return len(a & b) / len(a | b) >= 0.9
