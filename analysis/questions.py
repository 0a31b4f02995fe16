"""Interviewer questions grouped into readable question groups, and question × theme tables.

Why lexical (TF-IDF) rather than sentence embeddings: a semi-structured guide asks
the same stems in (nearly) the same words, so word overlap finds them; on the shared corpus
the 6,700 distinct question texts group in a few seconds, where embedding them would add
~35 s to a cold run. The grouping is deterministic (no random step; scipy linkage) and offline.

How:
1. questions are normalised (case, spaces) and de-duplicated, most frequent first;
2. each distinct question becomes a unit-length TF-IDF vector of its word 1–2-grams;
3. the ``max_linkage`` most frequent distinct questions are clustered (average linkage,
   cosine distance cut at ``distance``); clusters asked in at least ``min_transcripts``
   interviews become groups (rare ones are personal follow-ups, not guide questions);
4. every distinct question joins the group whose centroid it is most similar to, when the
   cosine reaches ``assign_similarity``; the rest form "Other follow-up questions";
5. each group is named by its most distinctive words (class TF-IDF, as topics are).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

OTHER_GROUP = "Other follow-up questions"
NO_QUESTION = "No question (before the first interviewer turn)"
GROUP_COLUMNS = ["question_group", "n_answers", "n_transcripts", "example", "keywords"]
LABEL_CHARS = 72
_SPACE = re.compile(r"\s+")
_FILLER = (
    "ai", "tell", "bit", "describe", "think", "like", "share", "walk", "really", "kind",
    "specific", "example", "particularly", "typically", "usually", "actually", "mentioned",
    "curious", "sounds", "happen", "happens", "did", "does", "make", "makes",
)
"""Words every interviewer uses in every question: no help telling questions apart."""


@dataclass(frozen=True, slots=True)
class QuestionGroupSettings:
    """Knobs of the grouping; defaults give 10–25 groups on the shared corpus."""

    distance: float = 0.7
    """Cosine distance at which the average-linkage tree is cut."""
    assign_similarity: float = 0.35
    """Cosine to a group centroid needed for a question to join that group."""
    min_transcript_share: float = 0.08
    """A group must be asked in this share of the interviews (and in ``min_transcripts``)."""
    min_transcripts: int = 3
    max_linkage: int = 3000
    """Most frequent distinct questions clustered (linkage is quadratic); others are assigned."""
    n_label_words: int = 3


@dataclass(slots=True)
class QuestionGroups:
    """``labels``: one group label per input question; ``groups``: GROUP_COLUMNS rows."""

    labels: list[str]
    groups: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=GROUP_COLUMNS))


def normalise_question(text: object) -> str:
    return _SPACE.sub(" ", str(text or "")).strip().lower()


def _tfidf(texts: list[str]) -> Any:
    """Unit-length sparse TF-IDF rows of word 1–2-grams (all-zero rows for stop-word-only text)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=2 if len(texts) >= 20 else 1,
        stop_words=sorted(ENGLISH_STOP_WORDS | set(_FILLER)),
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary: nothing but stop words
        return sparse.csr_matrix((len(texts), 1))


def _keywords(texts: list[str], weights: np.ndarray, groups: np.ndarray, n: int) -> dict:
    """Class TF-IDF words per group id: frequent in the group, rare in the others."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    from analysis.topics import readable_label

    ids = sorted(set(groups.tolist()) - {-1})
    if not ids:
        return {}
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), stop_words=sorted(ENGLISH_STOP_WORDS | set(_FILLER))
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        return {g: ("Questions", []) for g in ids}
    words = vectorizer.get_feature_names_out()
    per_group = np.vstack(
        [np.asarray(counts[groups == g].multiply(weights[groups == g][:, None]).sum(axis=0))[0]
         for g in ids]
    ).astype(float)
    tf = per_group / np.maximum(per_group.sum(axis=1, keepdims=True), 1.0)
    average = per_group.sum() / len(ids)
    idf = np.log(1.0 + average / np.maximum(per_group.sum(axis=0), 1.0))
    scores = tf * idf
    out = {}
    for row, g in enumerate(ids):
        order = np.lexsort((words, -scores[row]))[:12]
        top = [str(words[i]) for i in order if scores[row, i] > 0]
        out[g] = (readable_label(top, n), top)
    return out


def group_questions(
    questions: pd.Series | list[str],
    transcript_ids: pd.Series | list[str],
    settings: QuestionGroupSettings | None = None,
) -> QuestionGroups:
    """Group label per question (same order), and the groups table (largest first)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    settings = settings or QuestionGroupSettings()
    originals = [_SPACE.sub(" ", str(q or "")).strip() for q in questions]
    frame = pd.DataFrame(
        {"q": [o.lower() for o in originals], "t": list(map(str, transcript_ids))}
    )
    wording = dict(zip(frame["q"], originals, strict=True))
    if frame.empty:
        return QuestionGroups(labels=[])
    asked = frame[frame["q"] != ""]
    stats = asked.groupby("q").agg(n=("t", "size"), nt=("t", "nunique")).reset_index()
    stats = stats.sort_values(["n", "q"], ascending=[False, True], kind="mergesort")
    texts = stats["q"].tolist()
    group_of: dict[str, int] = {}
    if len(texts) >= 2:
        vectors = _tfidf(texts)
        usable = np.flatnonzero(vectors.getnnz(axis=1) > 0)
        head = usable[: settings.max_linkage]
        if len(head) >= 2:
            similarity = (vectors[head] @ vectors[head].T).toarray()
            distances = np.clip(1.0 - similarity, 0.0, 2.0)
            np.fill_diagonal(distances, 0.0)
            tree = linkage(squareform(distances, checks=False), method="average")
            clusters = fcluster(tree, settings.distance, criterion="distance")
        else:
            clusters = np.ones(len(head), dtype=int)
        n_transcripts = frame["t"].nunique()
        need = max(settings.min_transcripts, settings.min_transcript_share * n_transcripts)
        member_t = asked.merge(
            pd.DataFrame({"q": [texts[i] for i in head], "c": clusters}), on="q"
        )
        reach = member_t.groupby("c")["t"].nunique()
        kept = sorted(int(c) for c, n in reach.items() if n >= need)
        if kept:
            centroids = np.vstack(
                [np.asarray(vectors[head[clusters == c]].mean(axis=0)) for c in kept]
            )
            centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
            sims = np.asarray(vectors @ centroids.T)
            best = sims.argmax(axis=1)
            ok = sims[np.arange(len(texts)), best] >= settings.assign_similarity
            for i, text in enumerate(texts):
                group_of[text] = int(best[i]) if ok[i] else -1
    assigned = np.array([group_of.get(t, -1) for t in texts], dtype=int)
    weights = stats["n"].to_numpy(dtype=float)
    names = _keywords(texts, weights, assigned, settings.n_label_words)
    first_text = {g: texts[int(np.flatnonzero(assigned == g)[0])] for g in names}
    labels_by_id = _unique_names({g: short_question(wording[first_text[g]]) for g in names})
    label_of = {t: labels_by_id.get(g, OTHER_GROUP) for t, g in zip(texts, assigned, strict=True)}
    labels = [label_of.get(q, OTHER_GROUP) if q else NO_QUESTION for q in frame["q"]]
    table = _groups_table(frame.assign(g=labels), stats, label_of, names, labels_by_id, wording)
    return QuestionGroups(labels=labels, groups=table)


def short_question(text: str, limit: int = LABEL_CHARS) -> str:
    """A group's name: its most-asked wording, first real question only, cut at a word.

    Keyword labels ("Influenced way, colleagues, workplace") read worse than the guide's own
    question ("How have your colleagues or your workplace culture influenced…").
    """
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text) if p.strip()]
    questions = [p for p in parts if p.endswith("?") and len(p) >= 25]
    chosen = questions[0] if questions else text
    if len(chosen) <= limit:
        return chosen
    cut = chosen[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"


def _unique_names(names: dict[int, str]) -> dict[int, str]:
    seen: dict[str, int] = {}
    out = {}
    for g in sorted(names):
        name = names[g]
        seen[name] = seen.get(name, 0) + 1
        out[g] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    return out


def _groups_table(
    frame: pd.DataFrame,
    stats: pd.DataFrame,
    label_of: dict[str, str],
    names: dict[int, tuple[str, list[str]]],
    labels_by_id: dict[int, str],
    wording: dict[str, str],
) -> pd.DataFrame:
    words = {labels_by_id[g]: ", ".join(names[g][1][:8]) for g in labels_by_id}
    examples: dict[str, str] = {}
    for text in stats["q"]:  # most frequent first: the group's most-asked wording
        if label_of[text] != OTHER_GROUP:
            examples.setdefault(label_of[text], wording.get(text, text))
    rows = []
    for label, part in frame.groupby("g", sort=False):
        rows.append(
            {
                "question_group": label,
                "n_answers": len(part),
                "n_transcripts": part["t"].nunique(),
                "example": examples.get(label, ""),
                "keywords": words.get(label, ""),
            }
        )
    table = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    table["_last"] = table["question_group"].isin([OTHER_GROUP, NO_QUESTION])
    table = table.sort_values(["_last", "n_answers", "question_group"],
                              ascending=[True, False, True], kind="mergesort")
    return table.drop(columns="_last").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# question group × theme
# --------------------------------------------------------------------------------------
MATRIX_COLUMNS = ["question_group", "column", "label", "n", "total", "share"]


def _group_order(segments: pd.DataFrame) -> list[str]:
    counts = segments["question_group"].value_counts()
    last = [g for g in (OTHER_GROUP, NO_QUESTION) if g in counts.index]
    first = [g for g in counts.index if g not in last]
    return sorted(first, key=lambda g: (-counts[g], g)) + last


def question_by_code(
    segments: pd.DataFrame, codebook: pd.DataFrame, facet: str | None = None
) -> pd.DataFrame:
    """Share of the answers in each question group that carry each code.

    ``segments`` needs ``question_group`` and ``codes`` (``;``-joined ids). Codes of the
    facet (all facets with ``facet=None``) keep codebook order; codes no answer in view has
    are left out. ``n`` answers with the code, ``total`` answers in the group.
    """
    if not len(segments) or "question_group" not in segments:
        return pd.DataFrame(columns=MATRIX_COLUMNS)
    book = codebook if facet is None else codebook[codebook["facet"] == facet]
    codes = list(book["code"])
    labels = dict(zip(book["code"], book["label"], strict=False))
    have = segments["codes"].fillna("").astype(str).str.split(";")
    rows = []
    totals = segments.groupby("question_group").size()
    for code in codes:
        hit = have.map(lambda parts, c=code: c in parts)
        if not hit.any():
            continue
        per_group = hit.groupby(segments["question_group"]).sum()
        for group in _group_order(segments):
            n, total = int(per_group.get(group, 0)), int(totals[group])
            rows.append([group, code, labels.get(code, code), n, total, n / total])
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)


def question_by_topic(
    segments: pd.DataFrame, topics: pd.DataFrame, max_topics: int | None = None
) -> pd.DataFrame:
    """Share of the answers in each question group that fall in each topic (-1 left out).

    Topics are ordered by answers in view; ``max_topics`` keeps the largest ones.
    """
    if not len(segments) or "question_group" not in segments:
        return pd.DataFrame(columns=MATRIX_COLUMNS)
    real = segments[segments["topic_id"] >= 0]
    order = real["topic_id"].value_counts()
    ids = sorted(order.index, key=lambda t: (-order[t], t))[:max_topics]
    names = dict(zip(topics["topic_id"], topics["label"], strict=False))
    totals = segments.groupby("question_group").size()
    counts = real.groupby(["question_group", "topic_id"]).size()
    rows = []
    for topic in ids:
        label = f"#{int(topic)} {names.get(topic, '')}".strip()
        for group in _group_order(segments):
            n, total = int(counts.get((group, topic), 0)), int(totals[group])
            rows.append([group, str(int(topic)), label, n, total, n / total])
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)
