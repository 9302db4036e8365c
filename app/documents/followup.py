"""Follow-up questions rewritten with the conversation before retrieval.

"And how much does it weigh?" retrieves nothing useful on its own: "it" is the walrus of the previous question. The
rewrite is deterministic and needs no model: the retrieval query is the question plus the key terms of the previous
user turn (its words minus stop words, at most ``MAX_CARRIED`` of them, those already in the question left out). A model
call could resolve "it" better, but it costs a second generation before every answer, a small model rewrites badly
(a 135M model invents topics), and its query cannot be predicted or tested. BM25 matches any term, so the question's
own words still rank first when the user changes the subject; the prompt still holds the question as asked.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.documents.retrieval import query_terms

MAX_CARRIED = 8
"""Key terms carried over from the previous question at most."""


def retrieval_query(question: str, previous: Sequence[str], *, max_carried: int = MAX_CARRIED) -> str:
    """The query to retrieve with: ``question``, followed by key terms of the latest earlier question in ``previous``
    (the user's earlier turns, oldest first) that the question does not already have. No history: the question."""
    question = question.strip()
    earlier = next((p for p in reversed(previous) if p.strip()), "")
    if not earlier:
        return question
    have = set(query_terms(question))
    carried = [t for t in query_terms(earlier) if t not in have and not t.isdigit()][:max_carried]
    return f"{question} {' '.join(carried)}".strip() if carried else question
