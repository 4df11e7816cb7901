"""A synthetic labelled screening set shared by the review tests."""

import numpy as np

TOPIC = "statin cholesterol cardiovascular trial randomised lipid lowering mortality".split()
OTHER = "nursing education survey qualitative workforce training curriculum policy hospital".split()
COMMON = "patients study results methods data analysis outcome group".split()


def synthetic(n: int = 400, share: float = 0.08, seed: int = 3) -> tuple[list[str], np.ndarray]:
    """Relevant texts draw more words from TOPIC; all share common words and noise."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < share).astype(np.int8)
    labels[:2] = [1, 0]
    texts = []
    for label in labels:
        vocab_weights = [0.35, 0.15, 0.5] if label else [0.03, 0.47, 0.5]
        words = []
        for _ in range(40):
            pool = [TOPIC, OTHER, COMMON][rng.choice(3, p=vocab_weights)]
            words.append(pool[rng.integers(len(pool))])
        texts.append(" ".join(words))
    return texts, labels
