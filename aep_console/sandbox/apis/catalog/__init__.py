"""Catalog (``/data/foundation/catalog``): datasets (``datasets.py``) and batches (``batches.py``)."""

from __future__ import annotations

from starlette.routing import Route

from . import batches, datasets


def routes(services) -> list[Route]:
    return [
        Route("/dataSets", datasets.list_datasets, methods=["GET"]),
        Route("/dataSets", datasets.create_dataset, methods=["POST"]),
        Route("/dataSets/{id}", datasets.get_dataset, methods=["GET"]),
        Route("/dataSets/{id}", datasets.patch_dataset, methods=["PATCH", "PUT"]),
        Route("/dataSets/{id}", datasets.delete_dataset, methods=["DELETE"]),
        Route("/v2/dataSets/{id}", datasets.patch_dataset, methods=["PATCH"]),
        Route("/dataSets/{id}/views", datasets.list_views, methods=["GET"]),
        Route("/dataSets/{id}/views/{view_id}", datasets.list_views, methods=["GET"]),
        Route("/batches", batches.list_batches, methods=["GET"]),
        Route("/batches/{id}", batches.get_batch, methods=["GET"]),
        Route("/lastBatches", batches.last_batches, methods=["GET"]),
    ]
