"""Kinds-of-use commands: ``benefice classify``.

It runs on files (JSON lines of publications), no database needed; the scan that follows every import
classifies the stored publications with the same classifier (``uses.classify.default_classifier``). The
output is written to a temporary name and renamed when complete, so an error never leaves a truncated file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from benefice.commands.impact import _atomic_write
from benefice.commands.messages import say, say_n, version_words
from benefice.commands.progress import console, progress_bar
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop


@click.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    help="JSON lines with id, title, abstract[, keywords, mesh, sources_used] "
    "(gold-set, 'benefice detect' or 'benefice export' fields); '-' = stdin.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    help="JSON lines: id, sources_used, use_categories (main first), use_labels, use_review…",
)
@click.option(
    "--train",
    "train_paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Labelled JSON lines (use_categories list, main first, or use_category) to train the model on "
    "before classifying, e.g. the gold files or exported corrections. Repeatable.",
)
@click.option(
    "--save-model",
    "save_model",
    type=click.Path(dir_okay=False),
    help="With --train: also write the trained model there (JSON). Give "
    "$BENEFICE_HOME/models/use_model.json to put it in force for every scan.",
)
@click.option(
    "--mode",
    type=click.Choice(["both", "rules", "model"]),
    default="both",
    show_default=True,
    help="rules: the readable rules alone. model / both (the same): the learned stage, which weighs the "
    "rules among its features with the typology's descriptions.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Probability a second kind of use needs to be kept beside the main one.",
)
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="Another use_rules.yaml.")
def classify(
    input_path: str,
    output_path: str,
    train_paths: tuple[str, ...],
    save_model: str | None,
    mode: str,
    threshold: float,
    rules_path: str | None,
) -> None:
    """Kinds of use of publications (typology categories, main first); every label says how it was set and why.

    A publication gets a kind of use only if it uses a French data source: its ``sources_used`` when the
    record has them, else what source detection finds in it."""
    from benefice.sources.detect import Detector
    from benefice.sources.registry import load_registry
    from benefice.uses.classify import KindsOfUse, load_rules
    from benefice.uses.jsonl import classify_jsonl, labelled_examples, read_jsonl, sources_of_record
    from benefice.uses.learn import default_model, fit_rows

    if save_model and not train_paths:
        raise click.UsageError(say(gettext_noop("--save-model needs --train FILE (labelled records to learn from)")))
    rules = load_rules(rules_path)
    registry = load_registry()
    sources_of = sources_of_record(Detector(registry))
    kinds = KindsOfUse(rules, registry=registry, model=None)
    kinds.SECOND = threshold
    if mode != "rules":
        if train_paths:
            examples = []
            for train_path in train_paths:
                if not Path(train_path).is_file():
                    raise BeneficeError(gettext_noop("training file not found"), path=train_path)
                with open(train_path, "rb") as handle:
                    examples += labelled_examples(
                        read_jsonl(handle, train_path), kinds.typology.categories, sources_of, path=train_path
                    )
            with_category = sum(1 for _, _, cats in examples if cats)
            if not with_category:
                raise BeneficeError(
                    gettext_noop("no record labelled with a typology category (use_categories or use_category)"),
                    path=train_paths[0],
                )
            model = fit_rows(
                [kinds.rows(r, s) for r, s, _ in examples],
                [cats for _, _, cats in examples],
                files={Path(p).name: _digest(Path(p)) for p in train_paths},
            )
            console.print(
                say_n(
                    "model trained on %(n)s labelled record (%(version)s)",
                    "model trained on %(n)s labelled records (%(version)s)",
                    with_category,
                    version=version_words(model.version),
                ),
                markup=False,
            )
            if save_model:
                model.save(Path(save_model))
                console.print(say(gettext_noop("model written to %(path)s"), path=save_model), markup=False)
        else:
            model = default_model()
            if model is None:
                raise click.UsageError(
                    say(gettext_noop("no kind-of-use model is installed: give --train FILE or --mode rules"))
                )
        kinds.model = model
    if input_path != "-" and not Path(input_path).is_file():
        raise BeneficeError(gettext_noop("input file not found"), path=input_path)

    def write(out: IO[str]) -> int:
        handle = sys.stdin.buffer if input_path == "-" else open(input_path, "rb")  # noqa: SIM115
        try:
            with progress_bar(say(gettext_noop("classify"))) as update:
                return classify_jsonl(handle, out, kinds, sources_of, path=input_path, progress=update)
        finally:
            if input_path != "-":
                handle.close()

    count = _atomic_write(output_path, write)
    console.print(
        say_n(
            "%(n)s record classified into %(path)s (%(version)s)",
            "%(n)s records classified into %(path)s (%(version)s)",
            count,
            path=output_path,
            version=version_words(kinds.version),
        ),
        markup=False,
    )


def _digest(path: Path) -> str:
    """The training file's SHA-256 (first 16 hex digits): the model says exactly which files it learnt from."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


COMMANDS = [classify]
