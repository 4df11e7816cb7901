"""Screening in the web app at scale: next-record latency and retraining time at 10,000 and 100,000 records.

    .venv/bin/python benchmarks/review_web.py [--sizes 10000,100000] [--decisions 200] [--every 20]

Each size runs in a fresh SQLite database under a temporary ``BENEFICE_HOME`` (``DATABASE_URL`` is honoured
when set, e.g. PostgreSQL). Records are synthetic abstracts (150 words drawn from a Zipf law over 20,000
made-up words; 3% relevant records draw a fifth of their words from a topic vocabulary), written straight to
the review's record table. A reviewer then screens ``--decisions`` records through the same service calls as
the screening page: ``next_record`` (what the page waits for), ``decide`` (the POST), and a retraining every
``--every`` decisions, timed in the caller's thread. Finally ``next_record`` is timed again while a retraining
runs in the background thread, which is how the app runs it. There is no peer tool to compare with here:
ASReview's web app keeps one project per file and was not measured in the same way; the target is the
issue's (< 200 ms per next record at 100,000 records).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TOPIC_WORDS = 60


def synthetic_texts(n: int, seed: int = 5) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i:05d}" for i in range(20000)])
    topic = np.array([f"topic{i:02d}" for i in range(TOPIC_WORDS)])
    labels = (rng.random(n) < 0.03).astype(np.int8)
    ranks = np.minimum(rng.zipf(1.3, size=(n, 150)) - 1, vocab.size - 1)
    texts = []
    for i in range(n):
        words = vocab[ranks[i]]
        if labels[i]:
            k = 30
            words[:k] = topic[rng.integers(0, TOPIC_WORDS, size=k)]
            rng.shuffle(words)
        texts.append(" ".join(words.tolist()))
    return texts, labels


def ms(values: list[float]) -> str:
    values = sorted(v * 1000 for v in values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"{statistics.median(values):7.1f} {p95:7.1f} {values[-1]:7.1f}"


def run(n: int, decisions: int, every: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from benefice.core.roles import EDITOR
    from benefice.core.users import ensure_user
    from benefice.review import services, worker
    from benefice.review.models import Review, ReviewRecord
    from benefice.review.services import decisions as decision_services

    lead = ensure_user(f"bench{n}", "bench", EDITOR)
    review = services.create_review(f"bench {n}", lead, retrain_every=every)
    texts, labels = synthetic_texts(n)
    t0 = time.perf_counter()
    for start in range(0, n, 5000):
        ReviewRecord.objects.bulk_create(
            [ReviewRecord(review=review, title=f"record {start + i}", abstract=text)
             for i, text in enumerate(texts[start : start + 5000])],
            batch_size=1000,
        )  # fmt: skip
    fill = time.perf_counter() - t0
    ids = list(review.records.order_by("pk").values_list("pk", flat=True))
    truth = dict(zip(ids, labels.tolist(), strict=True))
    t0 = time.perf_counter()
    worker.retrain(review.pk, force=True)  # features (TF-IDF) + first, random, ranking
    first = time.perf_counter() - t0
    review.refresh_from_db()
    next_times, decide_times, retrain_times = [], [], []
    # seed the model with one relevant and one irrelevant record, as a reviewer with prior knowledge would
    positives = [pk for pk, y in truth.items() if y][:1]
    negatives = [pk for pk, y in truth.items() if not y][:1]
    for pk in positives + negatives:
        services.decide(ReviewRecord.objects.get(pk=pk), lead, "ta", "include" if truth[pk] else "exclude")
    services_schedule = decision_services._schedule  # where decide looks it up
    decision_services._schedule = lambda review: None  # retrain explicitly below, timed, in this thread
    found = 0
    try:
        for k in range(decisions):
            t = time.perf_counter()
            record = services.next_record(review, lead)
            next_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            value = "include" if truth[record.pk] else "exclude"
            found += truth[record.pk]
            services.decide(record, lead, "ta", value)
            decide_times.append(time.perf_counter() - t)
            if (k + 1) % every == 0:
                t = time.perf_counter()
                worker.retrain(review.pk)
                retrain_times.append(time.perf_counter() - t)
                review.refresh_from_db()
        # next-record latency while a retraining runs in another thread (as the app's worker thread does)
        during = []
        thread = threading.Thread(target=worker.retrain, args=(review.pk,), kwargs={"force": True})
        thread.start()
        while thread.is_alive():
            t = time.perf_counter()
            services.next_record(Review.objects.get(pk=review.pk), lead)
            during.append(time.perf_counter() - t)
            time.sleep(0.005)
        thread.join()
        # the whole screening page (next record, progress, stopping aid, template) as a reviewer gets it
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(lead)
        url = reverse("review:screen", args=[review.pk, "ta"])
        page = []
        for _ in range(20):
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            page.append(time.perf_counter() - t)
    finally:
        decision_services._schedule = services_schedule
    return {
        "n": n,
        "fill": fill,
        "first": first,
        "next": next_times,
        "decide": decide_times,
        "retrain": retrain_times,
        "during": during,
        "page": page,
        "found": found,
        "relevant": int(labels.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="review-web-bench-")
    Path(home, "static").mkdir()  # whitenoise warns on every request otherwise
    os.environ["BENEFICE_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benefice.settings")
    import django

    django.setup()
    from django.db import connection

    results = [run(int(s), args.decisions, args.every) for s in args.sizes.split(",")]
    print(f"\nreview web app, {connection.vendor}, {args.decisions} decisions, retrain every {args.every}")
    print(
        f"{'records':>8} {'fill s':>7} {'first s':>8} | next record ms (median p95 max) | decide ms "
        f"(median p95 max) | retrain s (median max) | next during bg retrain ms (median p95 max, n) | "
        f"screen page ms (median p95 max) | found"
    )
    for r in results:
        retrain = sorted(r["retrain"]) or [0.0]
        during = ms(r["during"]) + f" {len(r['during']):5d}" if r["during"] else "      —"
        print(
            f"{r['n']:8d} {r['fill']:7.1f} {r['first']:8.1f} | {ms(r['next'])}          | {ms(r['decide'])}    | "
            f"{statistics.median(retrain):6.2f} {retrain[-1]:6.2f}          | {during}               | "
            f"{ms(r['page'])}                   | {r['found']}/{r['relevant']}"
        )


if __name__ == "__main__":
    main()
