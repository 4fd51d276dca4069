"""Web SDK page: runs the services for it (sandbox datastreams and the ExperienceEvent datasets they can write to,
the Edge call) and hands plain values back."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class WebSdkController(QObject):
    datastreams_listed = Signal(object)  # [services.edge.Datastream]
    datasets_listed = Signal(object)  # [dict] of services.listing.event_datasets: id, name, schema_title, …
    datastream_created = Signal(object)  # services.edge.Datastream
    sent = Signal(object)  # aep.edge.EdgeAnswer
    failed = Signal(str)

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        from ...aep.edge import WebVisitor

        self.visitor = WebVisitor()  # one "browser": the ECID is kept between sends

    def _session(self):
        if self.ctx.session is None:
            self.failed.emit("Not connected yet: choose a connection profile first.")
        return self.ctx.session

    def _err(self, what: str):
        return lambda exc: self.failed.emit(f"{what} failed: {exc}")

    @property
    def is_local(self) -> bool:
        session = self.ctx.session
        return bool(session is not None and session.endpoints.is_local)

    def list_datastreams(self) -> None:
        """The local sandbox's datastreams and the ExperienceEvent datasets a new one can send to."""
        if self._session() is None or not self.is_local:
            return
        self.ctx.run("web-sdk-datastreams", self._list(), on_error=self._err("Listing datastreams"), busy=False)

    async def _list(self) -> None:
        import asyncio

        from ...services.edge import list_datastreams
        from ...services.listing import event_datasets

        session = self.ctx.session
        streams, datasets = await asyncio.gather(list_datastreams(session), event_datasets(session))
        self.datasets_listed.emit(datasets)
        self.datastreams_listed.emit(streams)

    def create_datastream(self, dataset_id: str, name: str = "") -> None:
        if self._session() is None:
            return
        self.ctx.run("web-sdk-create", self._create(dataset_id, name), on_error=self._err("Creating the datastream"))

    async def _create(self, dataset_id: str, name: str) -> None:
        from ...services.edge import create_datastream, list_datastreams

        stream = await create_datastream(self.ctx.session, dataset_id, name or None)
        self.datastreams_listed.emit(await list_datastreams(self.ctx.session))
        self.datastream_created.emit(stream)

    def send(self, datastream_id: str, record) -> None:
        if self._session() is None:
            return
        self.ctx.run("web-sdk-send", self._send(datastream_id, record), on_error=self._err("Sending to the Edge Network"))

    async def _send(self, datastream_id: str, record) -> None:
        from ...services.edge import send_as_web_sdk

        self.sent.emit(await send_as_web_sdk(self.ctx.session, datastream_id, record, self.visitor))
