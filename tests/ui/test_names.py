"""Lists show names, not bare ids: a dataset's schema, a connection's dataset, a profile's sources."""

from __future__ import annotations

from .helpers import unique, until


def _cell(page, row: dict, title: str) -> str:
    col = next(i for i, c in enumerate(page.model.columns) if c.title == title)
    return page.model.data(page.model.index(page.model.rows.index(row), col))


async def test_datasets_and_connections_are_named(connected, qtbot, ui_errors):
    from aep_console.services.setup import SetupWorkflows
    from aep_console.ui.pages.resources import DatasetsPage, StreamingPage

    ctx = connected
    prefix = unique("Named").replace(" ", "")
    report = await SetupWorkflows(ctx.session).loyalty_tutorial(prefix, route="http-api")
    assert report.ok, report.summary()
    datasets = DatasetsPage(ctx)
    streaming = StreamingPage(ctx)
    for page in (datasets, streaming):
        qtbot.addWidget(page)
        page.show()
    await until(lambda: any(r["name"] == f"{prefix} members dataset" for r in datasets.model.rows), 15, "datasets")
    row = next(r for r in datasets.model.rows if r["name"] == f"{prefix} members dataset")
    assert _cell(datasets, row, "Schema") == f"{prefix} members"
    await until(lambda: any(r["name"] == f"{prefix} streaming" for r in streaming.model.rows), 15, "connections")
    row = next(r for r in streaming.model.rows if r["name"] == f"{prefix} streaming")
    assert _cell(streaming, row, "Dataset") in (f"{prefix} members dataset", f"{prefix} events dataset")
    assert ui_errors == []
