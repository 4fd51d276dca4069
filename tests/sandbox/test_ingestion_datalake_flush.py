"""Closing streaming batches: a flush of one dataset takes only that dataset's batches, even when
other datasets' batches are due by age (they are the ticker's to close, and their ids its to report)."""

from __future__ import annotations

from aep_console.sandbox.ingestion.datalake import DataLake
from aep_console.sandbox.storage.store import Store


def test_flush_of_one_dataset_leaves_other_due_batches_alone(tmp_path):
    store = Store(tmp_path)
    lake = DataLake(store, max_records=1000, max_age_s=0.0)  # every open batch is already "old"
    try:
        a = lake.batch_for("ORG@AdobeOrg", "prod", "dataset-a")
        b = lake.batch_for("ORG@AdobeOrg", "prod", "dataset-b")
        assert [batch.id for batch in lake.due(force=True, dataset_id="dataset-b")] == [b.id]
        assert [batch.id for batch in lake.due()] == [a.id]  # the ticker's pass still closes A
        assert lake.open == {}
    finally:
        lake.writer.shutdown()
