"""Every knob of the analysis pipeline, with a default and a reason, in one dataclass.

``fingerprint()`` hashes the settings that change the topic model's output, so the store
can tell "nothing changed, load the saved result" from "settings changed, refit".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields

TOPIC_SETTINGS = (
    "embedding_backend",
    "max_seq_length",
    "unit_max_words",
    "random_state",
    "umap_n_neighbors",
    "umap_n_components",
    "umap_min_dist",
    "map_min_dist",
    "min_topic_size",
    "min_topic_size_per_sqrt",
    "min_samples",
    "cluster_selection",
    "outlier_threshold",
    "ngram_max",
    "extra_stop_words",
    "n_top_words",
    "n_label_words",
    "n_quotes",
    "min_answers_for_topics",
)
"""Settings that change topics/map; the others only change speed or when to refit."""


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class PipelineConfig:
    """Settings of one analysis run; field ``metadata['help']`` explains each one."""

    embedding_backend: str = field(
        default="minilm-int8",
        metadata=_help(
            "'minilm-int8' (all-MiniLM-L6-v2, bundled, offline, int8 ONNX: 1.45x faster, "
            "cosine 0.990 to fp32), 'minilm' (the same model in torch fp32) or 'hashing' "
            "(tests)."
        ),
    )
    max_seq_length: int = field(
        default=128,
        metadata=_help("Word pieces MiniLM reads per unit; 128 is 27% faster than 256."),
    )
    batch_size: int = field(default=64, metadata=_help("Texts per model call (speed only)."))
    unit_max_words: int = field(
        default=0,
        metadata=_help(
            "Split answers longer than this many words into units embedded separately and "
            "averaged; 0 = no split, MiniLM reads the first max_seq_length word pieces. "
            "Measured: truncating at 128 is 27% faster than 256 with cosine 0.989 to the "
            "full-length vectors, while splitting costs as much as not truncating."
        ),
    )
    random_state: int = field(
        default=42, metadata=_help("Seed for UMAP: identical topics on a re-run.")
    )
    umap_n_neighbors: int = field(
        default=15, metadata=_help("UMAP neighbourhood size (local vs global structure).")
    )
    umap_n_components: int = field(
        default=5, metadata=_help("Dimensions UMAP reduces to before clustering.")
    )
    umap_min_dist: float = field(
        default=0.0, metadata=_help("0 packs clusters tightly, which HDBSCAN needs.")
    )
    map_min_dist: float = field(
        default=0.1, metadata=_help("min_dist of the 2-D map UMAP (readability of the plot).")
    )
    min_topic_size: int = field(
        default=8, metadata=_help("Smallest topic, for small corpora (floor of the scaled size).")
    )
    min_topic_size_per_sqrt: float = field(
        default=0.66,
        metadata=_help(
            "Smallest topic = this x sqrt(answers) (80 for 14,495 answers): the topic count "
            "stays readable (15-60) as corpora grow, instead of growing with the corpus."
        ),
    )
    min_samples: int = field(
        default=10,
        metadata=_help("HDBSCAN min_samples: how conservative clustering is about density."),
    )
    cluster_selection: str = field(
        default="leaf",
        metadata=_help(
            "HDBSCAN cluster_selection_method. 'eom' merged 83% of the shared corpus into one "
            "topic; 'leaf' gives balanced topics (31 on the shared corpus)."
        ),
    )
    outlier_threshold: float = field(
        default=0.35,
        metadata=_help(
            "Outliers whose cosine similarity to the nearest topic centroid reaches this "
            "join that topic; the rest stay in topic -1."
        ),
    )
    ngram_max: int = field(default=2, metadata=_help("Longest keyword phrase, in words."))
    extra_stop_words: tuple[str, ...] = field(
        default=(
            "ai",
            "like",
            "just",
            "really",
            "think",
            "know",
            "yeah",
            "yes",
            "thing",
            "things",
            "lot",
            "kind",
            "sort",
            "actually",
            "um",
            "uh",
            "ve",
            "don",
            "going",
            "pretty",
            "definitely",
            "maybe",
            "probably",
            "mean",
            "way",
            "use",
            "using",
            "used",
            "ll",
            "got",
            "sure",
            "bit",
            "little",
            "say",
            "said",
            "does",
            "did",
            "doing",
            "make",
        ),
        metadata=_help("Interview filler words dropped from topic keywords (plus English)."),
    )
    n_top_words: int = field(default=10, metadata=_help("Keywords kept per topic."))
    n_label_words: int = field(default=3, metadata=_help("Keywords in a topic's label."))
    n_quotes: int = field(default=5, metadata=_help("Representative quotes per topic (3-5)."))
    min_answers_for_topics: int = field(
        default=20,
        metadata=_help("Below this many distinct answers no topics are fitted (plain message)."),
    )
    incremental_max_new_fraction: float = field(
        default=0.2,
        metadata=_help(
            "Added answers up to this share of the project are placed into the existing "
            "topics (seconds); more than that refits the topic model."
        ),
    )
    stability_runs: int = field(
        default=3,
        metadata=_help(
            "Topic-model re-runs (seed and input order varied) behind the stability badge; "
            "0 turns the check off. Measured: 3 runs on 3,000 answers add 10-30 s to a cold "
            "run and nothing to a warm one (stored with the fit)."
        ),
    )
    stability_sample: int = field(
        default=3000,
        metadata=_help("Answers (seeded subsample) each stability re-run clusters."),
    )
    engine: str = field(
        default="local",
        metadata=_help(
            "Where embedding and coding run: 'local' (this process) or 'ray' (Ray Data batch "
            "inference on a Ray cluster, docs/RAY.md). Speed only: results are identical."
        ),
    )
    ray_address: str | None = field(
        default=None,
        metadata=_help(
            "Ray cluster to join (host:port, ray://host:port or 'auto'); none starts a local "
            "cluster bound to 127.0.0.1."
        ),
    )
    ray_workers: int | None = field(
        default=None,
        metadata=_help("Ray worker actors (each loads the model once); none = all cluster CPUs."),
    )

    def effective_min_topic_size(self, n_answers: int) -> int:
        """The HDBSCAN min_cluster_size for a corpus of ``n_answers``."""
        return max(self.min_topic_size, round(self.min_topic_size_per_sqrt * n_answers**0.5))

    def topic_settings(self) -> dict[str, object]:
        data = asdict(self)
        return {name: data[name] for name in TOPIC_SETTINGS}

    def fingerprint(self) -> str:
        """sha256 of the settings that change topics (speed-only knobs excluded)."""
        blob = json.dumps(self.topic_settings(), sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["extra_stop_words"] = list(self.extra_stop_words)
        return data

    @classmethod
    def help(cls) -> dict[str, str]:
        """Field name -> help text (for the CLI and the app's settings panel)."""
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}
