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


def lead_with(fused: Sequence[tuple[str, float]], lead: Sequence[str]) -> Ranked:
    """Return fused with the lead ids first, in their own order, the others after in theirs.

    The lead ids take the best score of the list (scores never increase down the list).
    """
    if not fused:
        return []
    wanted = set(lead)
    top = fused[0][1]
    present = {pid for pid, _ in fused}
    head = [(pid, top) for pid in lead if pid in present]
    return [*head, *(x for x in fused if x[0] not in wanted)]


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


STATEMENT_TERMS = 6  # the fewest terms a passage needs to be linked to the one stating it


def states(a: frozenset[str], b: frozenset[str], share: float) -> bool:
    """Return whether the shorter of two keys is stated by the longer one: it holds at least
    STATEMENT_TERMS terms and share of them are in the longer (a préconisation and the
    paragraph of the same document that states it)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < STATEMENT_TERMS:
        return False
    return len(short & long) >= share * len(short)
