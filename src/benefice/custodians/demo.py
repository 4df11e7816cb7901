"""Demo part of the custodians app: the illustrative project directory, its candidate links, one record.

Idempotent: a re-run re-imports the directory (all unchanged), refreshes candidate links without touching
decisions, and leaves the benefit record that was already there.
"""

from __future__ import annotations

from collections.abc import Callable

from benefice.paths import package_data

DEMO_FILE = "hdh_projects.csv"
#: links confirmed in the demo: the project and the DOI of the publication that reports it (the studies the
#: illustrative rows were written from, see data/demo/hdh_projects.md)
DEMO_CONFIRMED = {
    "DEMO-01": "10.1038/s41467-022-31401-5",
    "DEMO-02": "10.1016/j.lanepe.2021.100158",
    "DEMO-03": "10.1136/bmj.n37",
    "DEMO-06": "10.1136/bmj-2023-078078",
}


def load_demo(echo: Callable[[str], None] = print) -> None:
    from benefice.core.users import ensure_user  # noqa: F401 - the demo user exists (created by benefice.demo)
    from benefice.corpus.models import Publication
    from benefice.custodians import services
    from benefice.custodians.models import BenefitRecord, Project, ProjectLink

    report = services.import_projects(package_data("demo", DEMO_FILE))
    echo(
        f"demo projects: rows read: {report.rows_read}; new: {len(report.new)}; updated: {len(report.updated)}; "
        f"unchanged: {len(report.unchanged)}; rejected: {len(report.rejected)}"
    )
    links = services.propose_links()
    echo(
        f"project links: {links.candidates} candidates ({links.new} new, {links.kept_decided} already decided)"
    )
    confirmed = 0
    for reference, doi in DEMO_CONFIRMED.items():
        pub = Publication.objects.filter(doi__iexact=doi).first()
        project = Project.objects.filter(reference=reference).first()
        if pub is None or project is None:
            continue
        link, _ = ProjectLink.objects.get_or_create(project=project, publication=pub)
        if link.status == ProjectLink.CANDIDATE:
            services.decide_link(link, ProjectLink.CONFIRMED, None)
            confirmed += 1
    echo(f"project links confirmed for the demo: {confirmed}")
    project = Project.objects.filter(reference="DEMO-01").first()
    if project is not None and not BenefitRecord.objects.filter(project=project).exists():
        services.save_benefit_record(
            project,
            kind=BenefitRecord.CLOSURE,
            year=2022,
            outputs=[
                {
                    "type": "publications",
                    "description": "Le Vu S, et al. Age and sex-specific risks of myocarditis and pericarditis "
                    "following Covid-19 messenger RNA vaccines. Nat Commun 2022.",
                    "reference": "https://doi.org/10.1038/s41467-022-31401-5",
                },
            ],
            # the demo's custodian texts are written in French, as a French custodian would write them
            decisions="Fiche de démonstration\u00a0: les décisions et leurs sources sont décrites dans le cas "
            "d'impact «\u00a0Vaccins ARNm et myocardites\u00a0: la HAS préfère Comirnaty avant 30 ans\u00a0».",
            published=True,
        )
        echo("benefit record: one illustrative record published for DEMO-01")
