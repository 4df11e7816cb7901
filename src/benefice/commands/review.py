"""Review commands: ``benefice review simulate`` (benchmark active learning on a fully labelled file)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from benefice.commands.messages import counted, number, percent, say, say_n
from benefice.commands.progress import progress_bar
from benefice.i18n import cli_language, gettext_noop


@click.group()
def review() -> None:
    """Systematic review screening tools."""


@review.command()
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV with title, abstract and label_included (or included) = 0/1.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write the METRICS JSON.",
)
@click.option(
    "--model",
    type=click.Choice(["nb", "logistic", "svm"]),
    default="svm",
    show_default=True,
    help="Classifier (all use TF-IDF features, balanced class weights, most relevant first).",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Simulations, each with its own random priors.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for priors and tie breaking.")
@click.option(
    "--prior-included",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Relevant records given as prior knowledge in each run.",
)
@click.option(
    "--prior-excluded",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Irrelevant records given as prior knowledge in each run.",
)
def simulate(
    data_path: Path,
    output_path: Path,
    model: str,
    runs: int,
    seed: int,
    prior_included: int,
    prior_excluded: int,
) -> None:
    """Replay screening on DATA and write WSS@95, WSS@100, RRF@10, ATD, recall curves and the stop point.

    One record is queried at a time and the model is retrained after every record. A run stops when the
    last relevant record is found; metrics exclude the priors. ``stop`` gives, per run and averaged, where
    the hypergeometric stopping rule (Callaghan & Müller-Hansen 2020; recall ≥ 95 % at 95 % confidence)
    says stop: records screened, recall reached there and work saved.
    """
    from benefice.review.active_learning import make_model
    from benefice.review.data import read_labelled_csv
    from benefice.review.simulate import check_priors
    from benefice.review.simulate import simulate as run_simulation

    records = read_labelled_csv(data_path)
    lang = cli_language()
    for note in records.notes:  # said in the user's locale, with the catalogue's plural forms
        shown = note.localized(lang)
        click.secho(say(gettext_noop("warning: %(path)s: %(warning)s"), path=data_path, warning=shown), fg="yellow", err=True)
    check_priors(records.labels, prior_included, prior_excluded, str(data_path))
    features = make_model(model).feature_extractor.fit_transform(records.texts)
    with progress_bar(say(gettext_noop("simulate %(model)s × %(runs)s"), model=model, runs=runs)) as update:
        document = run_simulation(
            features,
            records.labels,
            model_name=model,
            runs=runs,
            seed=seed,
            prior_included=prior_included,
            prior_excluded=prior_excluded,
            progress=update,
            path=str(data_path),
        )
    document["data"].update(
        {
            "path": str(data_path),
            "label_column": records.label_column,
            "records_without_text_lines": records.empty_lines,
            "duplicate_lines": records.duplicate_lines,
            "warnings": records.warnings,
        }
    )
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    averaged = document["averaged"]
    click.echo(
        say(
            gettext_noop(
                "%(file)s: %(records)s, %(relevant)s relevant; model %(model)s, %(runs)s: WSS@95 %(wss95)s, "
                "WSS@100 %(wss100)s, RRF@10 %(rrf10)s, ATD %(atd)s, %(ms)s ms per retraining → %(output)s"
            ),
            file=data_path.name,
            records=say_n("%(n)s record", "%(n)s records", len(records)),
            relevant=counted(records.n_relevant),
            model=model,
            runs=say_n("%(n)s run", "%(n)s runs", runs),
            wss95=percent(averaged["wss@95"]),
            wss100=percent(averaged["wss@100"]),
            rrf10=percent(averaged["rrf@10"]),
            atd=percent(averaged["atd"]),
            ms=number(averaged["seconds_per_retraining"] * 1000, 1),
            output=output_path,
        )
    )
    stop = averaged["stop"]
    screened = round(stop["screened"]["mean"])
    click.echo(
        say(
            gettext_noop(
                "stopping rule (hypergeometric, recall ≥ %(target)s at %(confidence)s confidence): stops after "
                "%(screened)s (sd %(sd)s), recall %(recall)s (min %(recall_min)s), work saved %(saved)s; %(reached)s"
            ),
            target=percent(stop["target_recall"], 0),
            confidence=percent(stop["confidence"], 0),
            screened=say_n("%(n)s record", "%(n)s records", screened, n=number(stop["screened"]["mean"])),
            sd=number(stop["screened"]["sd"]),
            recall=percent(stop["recall"]["mean"]),
            recall_min=percent(stop["recall"]["min"]),
            saved=percent(stop["work_saved"]["mean"]),
            reached=say_n(
                "target reached in %(n)s of %(runs)s run",
                "target reached in %(n)s of %(runs)s runs",
                stop["runs"],
                n=stop["runs_recall_reached"],
                runs=stop["runs"],
            ),
        )
    )


COMMANDS = [review]
