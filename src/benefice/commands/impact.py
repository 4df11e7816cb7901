"""Impact commands: ``benefice rank`` (cases) and ``benefice values`` (indicator values).

Both run on the cases stored in the database, as the web pages do (``benefice.cases.operations``), or on
an explicit cases file (``--cases FILE``, which needs no database). Outputs are written to a temporary name
and renamed when complete, so an error never leaves a truncated file behind.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from benefice import csvout
from benefice.commands.messages import say, say_n
from benefice.commands.progress import console, progress_bar
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop


def _atomic_write(output: str, write: Callable[[IO[str]], Any]) -> Any:
    """Run ``write(handle)`` on a temporary file next to `output`, then rename it; '-' writes to stdout."""
    if output == "-":
        return write(sys.stdout)
    path = Path(output)
    if not path.parent.exists():
        raise BeneficeError(gettext_noop("output directory does not exist"), path=str(path.parent))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            result = write(handle)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


def _write_csv(output: str, rows: list[dict[str, Any]]) -> None:
    def write(handle: IO[str]) -> None:
        fields = list(rows[0]) if rows else ["case_id", "rank", "score", "rank_low", "rank_high"]
        writer = csvout.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)

    _atomic_write(output, write)


def _case_input(cases_path: str | None):
    """The explicit cases file, or the stored cases (the database prepared first, as every command does)."""
    from benefice.cases import operations

    if not cases_path:
        from benefice.commands.corpus import initialise

        initialise()
    return operations.case_input(cases_path)


# --------------------------------------------------------------------------------------------------
# rank
# --------------------------------------------------------------------------------------------------
@click.command()
@click.option(
    "--output", "output_path", required=True, help="CSV: case_id, rank, score, rank_low, rank_high…"
)
@click.option(
    "--method",
    type=click.Choice(["weighted_sum", "topsis", "promethee"]),
    default="weighted_sum",
    show_default=True,
)
@click.option("--category", help="Rank only the cases of this category of use (typology id).")
@click.option(
    "--each-category",
    is_flag=True,
    help="The overall ranking, then one ranking within each category of use that has cases (one CSV).",
)
@click.option("--samples", type=int, help="Monte-Carlo draws of the weights [weights file: 1000].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the weight draws.")
@click.option(
    "--concentration", type=float, help="Dirichlet concentration around the weights [weights file: 50]."
)
@click.option("--weights", "weights_path", type=click.Path(dir_okay=False), help="Another ranking.yaml.")
@click.option(
    "--cases",
    "cases_path",
    type=click.Path(dir_okay=False),
    help="Use the cases of this cases.yaml instead of those stored in the database (no database needed).",
)
def rank(
    output_path: str,
    method: str,
    category: str | None,
    each_category: bool,
    samples: int | None,
    seed: int,
    concentration: float | None,
    weights_path: str | None,
    cases_path: str | None,
) -> None:
    """Rank the stored impact cases (as edited on the web) with the published weights, with each rank's
    stability under uncertain weights: the ranks the web page shows."""
    from benefice.cases import operations
    from benefice.cases import rank as ranking

    if category and each_category:
        raise click.UsageError(say(gettext_noop("--category and --each-category are alternatives")))
    inputs = _case_input(cases_path)
    spec = ranking.load_weights(weights_path)
    scopes: list[str | None] = [category]
    if each_category:
        scopes += [
            c for c in inputs.typology.categories if any(c in case.categories for case in inputs.cases)
        ]
    rows: list[dict[str, Any]] = []
    with progress_bar(say(gettext_noop("rank (%(method)s)"), method=method)) as update:
        for done, scope in enumerate(scopes):
            result = operations.rank(
                inputs,
                method=method,
                category=scope,
                samples=samples,
                seed=seed,
                concentration=concentration,
                spec=spec,
            )
            if not result.rows:
                if scope:
                    raise BeneficeError(gettext_noop("no case in category %(category)r"), params={"category": scope})
                raise BeneficeError(gettext_noop("no case to rank"))
            rows += ranking.ranking_rows(result)
            update(done + 1, len(scopes))
    _write_csv(output_path, rows)
    console.print(
        say(
            gettext_noop(
                "%(rows)s, %(rankings)s of the cases of %(origin)s, written to %(path)s (%(method)s, weights "
                "%(weights)s, %(draws)s, seed %(seed)s)"
            ),
            rows=say_n("%(n)s row", "%(n)s rows", len(rows)),
            rankings=say_n("%(n)s ranking", "%(n)s rankings", len(scopes)),
            origin=say(gettext_noop("the database")) if inputs.origin == "database" else inputs.origin,
            path=output_path,
            method=method,
            weights=spec.version,
            draws=say_n("%(n)s draw", "%(n)s draws", result.samples),
            seed=seed,
        ),
        markup=False,
    )


# --------------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------------
@click.command("values")
@click.option(
    "--output", "output_path", required=True, help="CSV: by, key, indicator, unit, value, low, high…"
)
@click.option(
    "--by", type=click.Choice(["case", "source", "year", "category"]), default="case", show_default=True
)
@click.option(
    "--include-unverified", is_flag=True, help="Add figures marked verified: false (rows are flagged)."
)
@click.option(
    "--cases",
    "cases_path",
    type=click.Path(dir_okay=False),
    help="Use the cases of this cases.yaml instead of those stored in the database (no database needed).",
)
def values_command(output_path: str, by: str, include_unverified: bool, cases_path: str | None) -> None:
    """Indicator values of the stored cases per case, data source, year or category, ranges carried, people
    counted once."""
    from benefice.cases import operations

    inputs = _case_input(cases_path)
    rows = [r.to_dict() for r in operations.values(inputs, by, include_unverified=include_unverified)]
    if not rows:
        raise BeneficeError(gettext_noop("no numeric figure to aggregate"))
    _write_csv(output_path, rows)
    console.print(BY[by](len(rows), output_path), markup=False)


#: the report of ``values`` for each ``--by``: the dimension said as a word of the sentence, not as its code
BY = {
    "case": lambda n, path: say_n(
        "%(n)s value row by case written to %(path)s", "%(n)s value rows by case written to %(path)s", n, path=path
    ),
    "source": lambda n, path: say_n(
        "%(n)s value row by data source written to %(path)s",
        "%(n)s value rows by data source written to %(path)s",
        n,
        path=path,
    ),
    "year": lambda n, path: say_n(
        "%(n)s value row by year written to %(path)s", "%(n)s value rows by year written to %(path)s", n, path=path
    ),
    "category": lambda n, path: say_n(
        "%(n)s value row by category of use written to %(path)s",
        "%(n)s value rows by category of use written to %(path)s",
        n,
        path=path,
    ),
}

COMMANDS = [rank, values_command]
