"""Inductive themes: UMAP + HDBSCAN clusters of answer embeddings, named with BERTopic.

Why the stages are run here rather than inside ``BERTopic.fit``:
- the exact k-nearest-neighbour graph is computed once (one BLAS product) and shared by the
  5-D UMAP used for clustering and the 2-D UMAP used for the map: no NN-descent, whose numba
  JIT costs ~20 s per process, and one neighbour search instead of two;
- outliers are reassigned to the nearest topic centroid in the original embedding space
  (BERTopic's "embeddings" strategy) before the topic words are computed, so c-TF-IDF and
  the labels describe the final topics;
- degenerate corpora are caught before any library sees them.
BERTopic is then used in its "manual" mode (``BaseCluster`` + ``y``) for what it is best at:
c-TF-IDF keywords, KeyBERT-style labels and the topic hierarchy.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.config import PipelineConfig
from analysis.embedding.base import Embedder, normalise_text
from analysis.small_talk import small_talk_mask
from analysis.tables import OUTLIER_TOPIC_ID, TOPICS_COLUMNS

ProgressFn = Callable[[str, float], None]
OUTLIER_LABEL = "No clear topic"
SMALL_TALK_LABEL = "Small talk: consent, thanks and sign-offs"
"""The topic that holds interview small talk (``analysis.small_talk``), named up front."""
_SMALL_TALK_KEEP = {"no", "nothing", "else", "thank", "thanks", "ok", "okay", "ready"}
HIERARCHY_COLUMNS = ["parent_id", "child_left_id", "child_right_id", "distance", "topics"]
EXACT_KNN_MAX_ROWS = 60_000
"""Above this, UMAP's approximate NN-descent is cheaper than the exact product."""


@dataclass(slots=True)
class TopicFit:
    """Per-answer topic ids and map coordinates, plus the topic and hierarchy tables."""

    topic_ids: np.ndarray
    coords: np.ndarray
    topics: pd.DataFrame
    hierarchy: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HIERARCHY_COLUMNS))
    messages: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# geometry
# --------------------------------------------------------------------------------------
def exact_knn(embeddings: np.ndarray, k: int, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k-NN (self first) of unit-length rows, as UMAP's precomputed_knn wants."""
    n = len(embeddings)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        block = embeddings[start : start + chunk] @ embeddings.T
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = 2.0  # self is always the nearest neighbour
        part = np.argpartition(-block, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(block, part, axis=1)
        order = np.lexsort((part, -part_sims), axis=1)
        indices[start : start + chunk] = np.take_along_axis(part, order, axis=1)
        sims = np.take_along_axis(part_sims, order, axis=1)
        sims[:, 0] = 1.0
        distances[start : start + chunk] = np.clip(1.0 - sims, 0.0, 2.0)
    return indices, distances


def _umap(
    embeddings: np.ndarray,
    knn: tuple[np.ndarray, np.ndarray] | None,
    *,
    n_components: int,
    n_neighbors: int,
    min_dist: float,
    random_state: int,
) -> np.ndarray:
    from umap import UMAP

    precomputed = (knn[0], knn[1], None) if knn is not None else (None, None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = UMAP(
            n_components=n_components,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            metric="cosine",
            random_state=random_state,
            n_jobs=1,
            precomputed_knn=precomputed,
            low_memory=True,
        )
        return np.asarray(model.fit_transform(embeddings), dtype=np.float32)


def fallback_coords(embeddings: np.ndarray) -> np.ndarray:
    """A deterministic 2-D layout for corpora too small for UMAP: the first two PCs."""
    n = len(embeddings)
    coords = np.zeros((n, 2), dtype=np.float32)
    if n < 3:
        coords[:, 0] = np.arange(n, dtype=np.float32)
        return coords
    centred = embeddings - embeddings.mean(axis=0)
    if not np.any(centred):
        return coords
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ vt[:2].T
    projected *= np.where(projected.sum(axis=0) < 0, -1, 1)  # fixed sign: deterministic
    coords[:, : projected.shape[1]] = projected
    return coords


def topic_centroids(embeddings: np.ndarray, topic_ids: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean embedding of each real topic (the outlier bucket excluded)."""
    centroids: dict[int, np.ndarray] = {}
    for topic in sorted(set(topic_ids.tolist()) - {OUTLIER_TOPIC_ID}):
        mean = embeddings[topic_ids == topic].mean(axis=0)
        norm = np.linalg.norm(mean)
        centroids[int(topic)] = mean / norm if norm else mean
    return centroids


def reassign_outliers(
    embeddings: np.ndarray, topic_ids: np.ndarray, threshold: float
) -> np.ndarray:
    """Move outliers to their most similar topic centroid when the cosine reaches threshold."""
    result = topic_ids.copy()
    centroids = topic_centroids(embeddings, topic_ids)
    outliers = np.flatnonzero(topic_ids == OUTLIER_TOPIC_ID)
    if not centroids or not len(outliers):
        return result
    ids = np.array(list(centroids))
    sims = embeddings[outliers] @ np.vstack(list(centroids.values())).T
    best = sims.argmax(axis=1)
    ok = sims[np.arange(len(outliers)), best] >= threshold
    result[outliers[ok]] = ids[best[ok]]
    return result


# --------------------------------------------------------------------------------------
# naming
# --------------------------------------------------------------------------------------
def _stem(word: str) -> str:
    return re.sub(r"(ing|ed|es|s)$", "", word.lower())


def readable_label(words: Sequence[str], n_words: int) -> str:
    """First ``n_words`` keywords without near-duplicates ("email", "emails", "email drafts")."""
    chosen: list[str] = []
    seen: set[str] = set()
    for word in words:
        parts = {_stem(p) for p in word.split()}
        if not word or parts & seen:
            continue
        chosen.append(word)
        seen |= parts
        if len(chosen) == n_words:
            break
    if not chosen:
        return "Unnamed topic"
    text = ", ".join(chosen)
    return text[0].upper() + text[1:]


def representative_quotes(
    docs: Sequence[str],
    embeddings: np.ndarray,
    members: np.ndarray,
    centroid: np.ndarray,
    n_quotes: int,
) -> list[str]:
    """The members nearest the topic centroid, preferring readable lengths, no duplicates."""
    if not len(members):
        return []
    sims = embeddings[members] @ centroid
    lengths = np.array([len(docs[i].split()) for i in members])
    readable = (lengths >= 8) & (lengths <= 120)
    order = np.lexsort((members, -sims, ~readable))  # readable first, then most central
    quotes: list[str] = []
    seen: set[str] = set()
    for pos in order:
        text = normalise_text(docs[members[pos]])
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        quotes.append(text)
        if len(quotes) == n_quotes:
            break
    return quotes


def build_topics_frame(
    docs: Sequence[str],
    embeddings: np.ndarray,
    topic_ids: np.ndarray,
    keywords: dict[int, list[str]],
    labels: dict[int, str],
    n_quotes: int,
) -> pd.DataFrame:
    """TOPICS_COLUMNS rows (outlier bucket first when present); quotes as lists."""
    centroids = topic_centroids(embeddings, topic_ids)
    rows = []
    for topic in sorted(set(topic_ids.tolist())):
        members = np.flatnonzero(topic_ids == topic)
        centroid = centroids.get(topic)
        if centroid is None:  # the outlier bucket: quotes are not representative of anything
            quotes: list[str] = []
        else:
            quotes = representative_quotes(docs, embeddings, members, centroid, n_quotes)
        rows.append(
            {
                "topic_id": int(topic),
                "label": labels.get(topic, OUTLIER_LABEL if topic == OUTLIER_TOPIC_ID else ""),
                "size": len(members),
                "top_words": ", ".join(keywords.get(topic, [])),
                "representative_quotes": quotes,
            }
        )
    return pd.DataFrame(rows, columns=TOPICS_COLUMNS)


def centroid_hierarchy(centroids: dict[int, np.ndarray]) -> pd.DataFrame:
    """HIERARCHY_COLUMNS rows from Ward linkage of the unit topic centroids.

    Why not ``BERTopic.hierarchical_topics``: it re-runs the vectorizer over every answer
    for each of the n - 1 merges to name them (most of the naming stage's time on the
    shared corpus), and we keep only the tree. Ward on unit vectors follows cosine
    distance; ties are broken by scipy deterministically. Merge ``i`` gets parent id
    ``max topic id + 1 + i``, as in BERTopic.
    """
    from scipy.cluster.hierarchy import linkage

    ids = sorted(centroids)
    if len(ids) < 3:
        return pd.DataFrame(columns=HIERARCHY_COLUMNS)
    vectors = np.vstack([centroids[t] for t in ids]).astype(np.float64)
    merges = linkage(vectors, method="ward")
    first_parent = max(ids) + 1
    node_ids = list(ids)
    leaves: list[list[int]] = [[t] for t in ids]
    rows = []
    for i, (left, right, distance, _count) in enumerate(merges):
        left, right = int(left), int(right)
        node_ids.append(first_parent + i)
        leaves.append(sorted(leaves[left] + leaves[right]))
        rows.append(
            {
                "parent_id": first_parent + i,
                "child_left_id": node_ids[left],
                "child_right_id": node_ids[right],
                "distance": float(distance),
                "topics": leaves[-1],
            }
        )
    rows.reverse()  # root first, like BERTopic
    return pd.DataFrame(rows, columns=HIERARCHY_COLUMNS)


def _bertopic_backend(embedder: Embedder):
    """Adapt our (cached) embedder to BERTopic's backend interface, for KeyBERT labels.

    The class is built inside the function so importing this module stays cheap.
    """
    from bertopic.backend import BaseEmbedder

    class Backend(BaseEmbedder):
        def __init__(self, inner: Embedder) -> None:
            super().__init__()
            self.inner = inner

        def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
            return self.inner.embed(list(documents))

    return Backend(embedder)


def _vectorizer(config: PipelineConfig):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop_words = sorted(ENGLISH_STOP_WORDS | set(config.extra_stop_words))
    # min_df=1: c-TF-IDF has one "document" per topic, so min_df=2 breaks on 1-topic corpora.
    return CountVectorizer(stop_words=stop_words, ngram_range=(1, config.ngram_max), min_df=1)


def describe_topics(
    docs: Sequence[str],
    embeddings: np.ndarray,
    topic_ids: np.ndarray,
    config: PipelineConfig,
    embedder: Embedder | None,
    *,
    with_hierarchy: bool = True,
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """c-TF-IDF keywords, KeyBERT-style labels, quotes and hierarchy for given assignments.

    Returns topic ids renumbered by size (BERTopic's convention: 0 is the largest), the
    topics frame and the hierarchy frame.
    """
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import KeyBERTInspired
    from bertopic.vectorizers import ClassTfidfTransformer

    representation = (
        {
            "KeyBERT": KeyBERTInspired(
                top_n_words=config.n_top_words,
                nr_candidate_words=40,  # 100 (default) embeds 2.5x more words for the same labels
                random_state=config.random_state,
            )
        }
        if embedder is not None
        else None
    )
    model = BERTopic(
        embedding_model=_bertopic_backend(embedder) if embedder is not None else None,
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=_vectorizer(config),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=representation,
        top_n_words=config.n_top_words,
        calculate_probabilities=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(list(docs), embeddings=embeddings, y=topic_ids.astype(int))
    ids = np.asarray(model.topics_, dtype=int)
    keywords: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    aspects = getattr(model, "topic_aspects_", {}) or {}
    for topic in sorted(set(ids.tolist()) - {OUTLIER_TOPIC_ID}):
        words = [w for w, _ in (model.get_topic(topic) or []) if w]
        keywords[topic] = words
        refined = [w for w, _ in aspects.get("KeyBERT", {}).get(topic, []) if w]
        labels[topic] = readable_label(refined or words, config.n_label_words)
    topics = build_topics_frame(docs, embeddings, ids, keywords, labels, config.n_quotes)
    hierarchy = pd.DataFrame(columns=HIERARCHY_COLUMNS)
    if with_hierarchy:
        hierarchy = centroid_hierarchy(topic_centroids(embeddings, ids))
    return ids, topics, hierarchy


# --------------------------------------------------------------------------------------
# fitting
# --------------------------------------------------------------------------------------
def no_topics(docs: Sequence[str], embeddings: np.ndarray, message: str) -> TopicFit:
    """Every answer in the outlier bucket, a plain message, and a simple deterministic map."""
    n = len(docs)
    ids = np.full(n, OUTLIER_TOPIC_ID, dtype=int)
    topics = (
        build_topics_frame(docs, embeddings, ids, {}, {}, 0)
        if n
        else pd.DataFrame(columns=TOPICS_COLUMNS)
    )
    coords = fallback_coords(embeddings) if n else np.zeros((0, 2), dtype=np.float32)
    return TopicFit(topic_ids=ids, coords=coords, topics=topics, messages=[message])


def fit_topics(
    docs: Sequence[str],
    embeddings: np.ndarray,
    config: PipelineConfig,
    *,
    embedder: Embedder | None = None,
    progress: ProgressFn | None = None,
) -> TopicFit:
    """Topics for ``docs`` (one per answer) given their unit-length ``embeddings``.

    Small talk (``analysis.small_talk``) is left out of the fit, so no fitted topic is about
    consent replies or closings, and then gets a topic of its own (``SMALL_TALK_LABEL``,
    the highest id) and a map position next to the fitted answers it resembles. Never raises
    for odd input: empty, tiny, identical or unclusterable corpora return a ``TopicFit``
    with everything in topic -1 and a message.
    """
    n = len(docs)
    chatter = small_talk_mask(docs)
    if n == 0 or not chatter.any():
        fit = _fit_substantive(docs, embeddings, config, embedder=embedder, progress=progress)
        fit.stats["small_talk"] = 0.0
        return fit
    keep = np.flatnonzero(~chatter)
    if not len(keep):
        return no_topics(
            docs,
            embeddings,
            f"All {n} answers are short replies or interview small talk, so no distinct "
            "answer is left to find topics in: all answers are listed without a topic.",
        )
    inner = _fit_substantive(
        [docs[i] for i in keep], embeddings[keep], config, embedder=embedder, progress=progress
    )
    topic_ids = np.full(n, OUTLIER_TOPIC_ID, dtype=int)
    topic_ids[keep] = inner.topic_ids
    coords = np.zeros((n, 2), dtype=np.float32)
    coords[keep] = inner.coords
    _, coords[chatter] = assign_new_answers(
        embeddings[chatter], embeddings[keep], inner.topic_ids, inner.coords, threshold=2.0
    )
    topics = inner.topics.copy()
    stats = dict(inner.stats)
    stats["small_talk"] = float(chatter.mean())
    if (inner.topic_ids >= 0).any():
        # Small talk is a kind of answer, not a failure to cluster: it gets its own topic
        # (after the fitted ones) rather than swelling the "no clear topic" bucket.
        small_id = int(inner.topic_ids.max()) + 1
        topic_ids[chatter] = small_id
        row = small_talk_row(docs, embeddings, np.flatnonzero(chatter), small_id, config)
        topics = pd.concat([topics, row], ignore_index=True)
        stats["small_talk_topic_id"] = float(small_id)
    n_outliers = int((topic_ids == OUTLIER_TOPIC_ID).sum())
    if (topics["topic_id"] == OUTLIER_TOPIC_ID).any():
        topics.loc[topics["topic_id"] == OUTLIER_TOPIC_ID, "size"] = n_outliers
    elif n_outliers:
        bucket = pd.DataFrame(
            [[OUTLIER_TOPIC_ID, OUTLIER_LABEL, n_outliers, "", []]], columns=TOPICS_COLUMNS
        )
        topics = pd.concat([bucket, topics], ignore_index=True) if len(topics) else bucket
    stats["outliers"] = n_outliers / n
    return TopicFit(
        topic_ids=topic_ids,
        coords=coords,
        topics=topics,
        hierarchy=inner.hierarchy,
        messages=inner.messages,
        stats=stats,
    )


def small_talk_row(
    docs: Sequence[str],
    embeddings: np.ndarray,
    members: np.ndarray,
    topic_id: int,
    config: PipelineConfig,
) -> pd.DataFrame:
    """The small-talk topic's TOPICS_COLUMNS row: its most frequent words and typical replies.

    Its words are counted plainly (c-TF-IDF would need it in the fit it is kept out of);
    "no", "thanks", "ready" are kept because they are what small talk is made of.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    texts = [docs[i] for i in members]
    stop = sorted(set(ENGLISH_STOP_WORDS) - _SMALL_TALK_KEEP)
    words: list[str] = []
    try:
        counts = CountVectorizer(stop_words=stop, token_pattern=r"(?u)\b[a-zA-Z]{2,}\b")
        matrix = counts.fit_transform(texts)
        totals = np.asarray(matrix.sum(axis=0)).ravel()
        vocab = counts.get_feature_names_out()
        order = np.lexsort((vocab, -totals))  # most frequent first, ties alphabetical
        words = [str(vocab[i]) for i in order[: config.n_top_words]]
    except ValueError:  # only stop words or punctuation
        words = []
    centroid = embeddings[members].mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    quotes = (
        representative_quotes(docs, embeddings, members, centroid / norm, config.n_quotes)
        if norm > 0
        else []
    )
    return pd.DataFrame(
        [[topic_id, SMALL_TALK_LABEL, len(members), ", ".join(words), quotes]],
        columns=TOPICS_COLUMNS,
    )


def small_talk_topic(topic_ids: np.ndarray, chatter: np.ndarray) -> int | None:
    """The id of the topic that holds exactly the small talk, if a saved fit has one.

    None when there is no small talk, when it sits in the outlier bucket (fits made before
    the small-talk topic existed) or when a user merged it with a real topic.
    """
    found = set(topic_ids[chatter].tolist())
    if len(found) != 1:
        return None
    topic = int(found.pop())
    if topic < 0 or bool((topic_ids[~chatter] == topic).any()):
        return None
    return topic


def place_new_answers(
    docs: Sequence[str],
    embeddings: np.ndarray,
    known: np.ndarray,
    topic_ids: np.ndarray,
    coords: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Topic ids and map positions for all answers, placing the ``~known`` ones.

    New small talk joins the saved fit's small-talk topic; other new answers go to the most
    similar real topic (``assign_new_answers``), never to the small-talk topic.
    """
    chatter = small_talk_mask(docs)
    ids, xy = topic_ids.copy(), coords.copy()
    small = small_talk_topic(topic_ids[known], chatter[known])
    reference = known & (topic_ids != small) if small is not None else known
    new = ~known
    new_ids, new_xy = assign_new_answers(
        embeddings[new],
        embeddings[reference],
        topic_ids[reference],
        coords[reference],
        threshold,
    )
    if small is not None:
        new_ids[chatter[new]] = small
    ids[new], xy[new] = new_ids, new_xy
    return ids, xy


def cluster_reduced(reduced: np.ndarray, config: PipelineConfig) -> np.ndarray:
    """HDBSCAN labels (-1 = noise) of UMAP-reduced answers, with the config's size rules.

    One place for it, so the stability re-runs cluster exactly as the fit does.
    """
    from hdbscan import HDBSCAN

    min_size = config.effective_min_topic_size(len(reduced))
    clusterer = HDBSCAN(
        min_cluster_size=min_size,
        min_samples=min(config.min_samples, min_size),
        metric="euclidean",
        cluster_selection_method=config.cluster_selection,
    )
    return clusterer.fit_predict(reduced).astype(int)


def _fit_substantive(
    docs: Sequence[str],
    embeddings: np.ndarray,
    config: PipelineConfig,
    *,
    embedder: Embedder | None = None,
    progress: ProgressFn | None = None,
) -> TopicFit:
    """``fit_topics`` on answers that are all worth fitting (no small-talk filter)."""
    import time

    report = progress or (lambda _msg, _frac: None)
    n = len(docs)
    if n == 0:
        return no_topics(docs, embeddings, "There are no participant answers, so no topics.")
    n_unique = len({normalise_text(d).lower() for d in docs})
    if n_unique < config.min_answers_for_topics:
        return no_topics(
            docs,
            embeddings,
            f"Only {n_unique} distinct answer(s): at least {config.min_answers_for_topics} are "
            "needed to find topics, so all answers are listed without a topic.",
        )
    stats: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        n_neighbors = min(config.umap_n_neighbors, n - 1)
        report("Finding similar answers", 0.0)
        knn = exact_knn(embeddings, n_neighbors) if n <= EXACT_KNN_MAX_ROWS else None
        stats["knn_s"] = time.perf_counter() - t0
        report("Reducing dimensions (UMAP)", 0.1)
        t0 = time.perf_counter()
        reduced = _umap(
            embeddings,
            knn,
            n_components=min(config.umap_n_components, n - 2),
            n_neighbors=n_neighbors,
            min_dist=config.umap_min_dist,
            random_state=config.random_state,
        )
        stats["umap_s"] = time.perf_counter() - t0
        report("Laying out the 2-D map", 0.4)
        t0 = time.perf_counter()
        coords = _umap(
            embeddings,
            knn,
            n_components=2,
            n_neighbors=n_neighbors,
            min_dist=config.map_min_dist,
            random_state=config.random_state,
        )
        stats["map_s"] = time.perf_counter() - t0
        report("Clustering answers into topics", 0.65)
        t0 = time.perf_counter()
        raw_ids = cluster_reduced(reduced, config)
        stats["hdbscan_s"] = time.perf_counter() - t0
        stats["outliers_before_reduction"] = float((raw_ids == OUTLIER_TOPIC_ID).mean())
        if not (raw_ids >= 0).any():
            fit = no_topics(
                docs,
                embeddings,
                "No recurring themes were found: the answers are too different from each other "
                "(or too few) to group. All answers are listed without a topic.",
            )
            fit.coords = coords
            return fit
        topic_ids = reassign_outliers(embeddings, raw_ids, config.outlier_threshold)
        report("Naming topics", 0.75)
        t0 = time.perf_counter()
        ids, topics, hierarchy = describe_topics(docs, embeddings, topic_ids, config, embedder)
        stats["describe_s"] = time.perf_counter() - t0
    except (ValueError, TypeError, IndexError, np.linalg.LinAlgError) as exc:
        return no_topics(
            docs,
            embeddings,
            f"Topics could not be computed for this corpus ({type(exc).__name__}); "
            "all answers are listed without a topic.",
        )
    report("Topics ready", 1.0)
    return TopicFit(topic_ids=ids, coords=coords, topics=topics, hierarchy=hierarchy, stats=stats)


def assign_new_answers(
    new_embeddings: np.ndarray,
    old_embeddings: np.ndarray,
    old_topic_ids: np.ndarray,
    old_coords: np.ndarray,
    threshold: float,
    k: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Place added answers into the existing topics and map without refitting.

    Topic: the most similar existing topic centroid (cosine >= threshold, else -1), the same
    rule that reassigns outliers. Map position: the similarity-weighted mean position of the
    k most similar existing answers (what UMAP's own ``transform`` approximates).
    """
    n_new = len(new_embeddings)
    ids = np.full(n_new, OUTLIER_TOPIC_ID, dtype=int)
    coords = np.zeros((n_new, 2), dtype=np.float32)
    if not n_new or not len(old_embeddings):
        return ids, coords
    centroids = topic_centroids(old_embeddings, old_topic_ids)
    if centroids:
        topic_list = np.array(list(centroids))
        sims = new_embeddings @ np.vstack(list(centroids.values())).T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(n_new), best] >= threshold
        ids[ok] = topic_list[best[ok]]
    k = min(k, len(old_embeddings))
    sims = new_embeddings @ old_embeddings.T
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    weights = np.clip(np.take_along_axis(sims, nearest, axis=1), 1e-6, None)
    coords = (old_coords[nearest] * weights[..., None]).sum(axis=1) / weights.sum(axis=1)[:, None]
    return ids, coords.astype(np.float32)


# --------------------------------------------------------------------------------------
# user edits and views
# --------------------------------------------------------------------------------------
def apply_topic_edits(
    segments: pd.DataFrame, topics: pd.DataFrame, edits: Sequence[object]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replay renames and merges (``TopicEdit``s) over a saved result's frames.

    A merge keeps the lowest topic id, sums sizes, interleaves keywords and quotes; edits
    that name topics which no longer exist are skipped (the corpus was refitted).
    """
    segments = segments.copy()
    topics = topics.copy().set_index("topic_id", drop=False)
    for edit in edits:
        kind, ids, label = edit.kind, list(edit.topic_ids), edit.label  # type: ignore[attr-defined]
        present = [t for t in ids if t in topics.index and t != OUTLIER_TOPIC_ID]
        if kind == "rename" and present and label:
            topics.at[present[0], "label"] = label
        elif kind == "merge" and len(present) >= 2:
            target = min(present)
            merged = topics.loc[present].sort_values("size", ascending=False)
            words: list[str] = []
            for lists in zip(*[str(w).split(", ") for w in merged["top_words"]], strict=False):
                words.extend(w for w in lists if w and w not in words)
            quotes: list[str] = []
            for group in zip(*[list(q) for q in merged["representative_quotes"]], strict=False):
                quotes.extend(group)
            topics.at[target, "size"] = int(merged["size"].sum())
            topics.at[target, "top_words"] = ", ".join(words[:10])
            topics.at[target, "representative_quotes"] = quotes[:5]
            topics.at[target, "label"] = label or merged["label"].iloc[0]
            topics = topics.drop(index=[t for t in present if t != target])
            segments.loc[segments["topic_id"].isin(present), "topic_id"] = target
    topics = topics.reset_index(drop=True)
    names = dict(zip(topics["topic_id"], topics["label"], strict=True))
    if "topic_id" in segments:
        segments["topic_label"] = segments["topic_id"].map(names).fillna(OUTLIER_LABEL)
    return segments, topics


def topic_cohort_counts(segments: pd.DataFrame, transcripts: pd.DataFrame) -> pd.DataFrame:
    """Answers per (topic, cohort): the topic x cohort view, derived from the segments."""
    cohorts = transcripts[["transcript_id", "cohort"]]
    joined = segments.merge(cohorts, on="transcript_id", how="left")
    joined["cohort"] = joined["cohort"].fillna("")
    return (
        joined.groupby(["topic_id", "topic_label", "cohort"], sort=True)
        .size()
        .rename("n_answers")
        .reset_index()
    )
