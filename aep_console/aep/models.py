"""Request and response models of the AEP client (pydantic v2).

Every model keeps unknown fields (``extra="allow"``): AEP adds fields over time and the console
shows what it got. Field names are Pythonic; the JSON names are aliases (``$id``, ``meta:altId``,
``@id``, ``xdm:sourceSchema`` …). ``model_dump(by_alias=True, exclude_none=True)`` gives AEP's JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AEPModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


# --- common ----------------------------------------------------------------------------------


class SchemaRef(AEPModel):
    id: str
    content_type: str = Field("application/vnd.adobe.xed-full+json;version=1", alias="contentType")


class Created(AEPModel):
    """Flow Service / legacy create answer: ``{"id", "etag"}``."""

    id: str
    etag: str | None = None


# --- Schema Registry -----------------------------------------------------------------------------


class RegistryStats(AEPModel):
    ims_org: str | None = Field(None, alias="imsOrg")
    tenant_id: str = Field(alias="tenantId")
    counts: dict[str, Any] = Field(default_factory=dict)
    recently_created: list[Any] = Field(default_factory=list, alias="recentlyCreatedResources")
    recently_updated: list[Any] = Field(default_factory=list, alias="recentlyUpdatedResources")
    class_usage: Any = Field(None, alias="classUsage")


class RegistryResource(AEPModel):
    """A class, field group, data type, schema or union, summary (xed-id) or full."""

    id: str = Field(alias="$id")
    alt_id: str | None = Field(None, alias="meta:altId")
    version: str | None = None
    title: str | None = None
    description: str | None = None
    type: str | None = None
    resource_type: str | None = Field(None, alias="meta:resourceType")
    meta_class: str | None = Field(None, alias="meta:class")
    extends: list[str] | None = Field(None, alias="meta:extends")
    immutable_tags: list[str] | None = Field(None, alias="meta:immutableTags")
    container_id: str | None = Field(None, alias="meta:containerId")
    all_of: list[dict[str, Any]] | None = Field(None, alias="allOf")
    properties: dict[str, Any] | None = None
    definitions: dict[str, Any] | None = None
    required: list[str] | None = None

    @property
    def is_union_enabled(self) -> bool:
        return "union" in (self.immutable_tags or [])


class RegistryPage(AEPModel):
    results: list[RegistryResource] = Field(default_factory=list)
    page: dict[str, Any] = Field(default_factory=dict, alias="_page")
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")

    @property
    def next_start(self) -> str | None:
        nxt = self.page.get("next")
        return str(nxt) if nxt not in (None, "") else None


class IdentityDescriptor(AEPModel):
    """``xdm:descriptorIdentity`` (other descriptor types keep their fields as extras)."""

    type: str = Field("xdm:descriptorIdentity", alias="@type")
    source_schema: str = Field(alias="xdm:sourceSchema")
    source_version: int = Field(1, alias="xdm:sourceVersion")
    source_property: str = Field(alias="xdm:sourceProperty")
    namespace: str | None = Field(None, alias="xdm:namespace")
    property: str | None = Field("xdm:code", alias="xdm:property")
    is_primary: bool | None = Field(None, alias="xdm:isPrimary")


class Descriptor(AEPModel):
    id: str | None = Field(None, alias="@id")
    type: str = Field(alias="@type")
    source_schema: str | None = Field(None, alias="xdm:sourceSchema")
    source_version: int | None = Field(None, alias="xdm:sourceVersion")
    source_property: str | None = Field(None, alias="xdm:sourceProperty")
    namespace: str | None = Field(None, alias="xdm:namespace")
    is_primary: bool | None = Field(None, alias="xdm:isPrimary")
    version: str | None = None


# --- Identity --------------------------------------------------------------------------------------


class Namespace(AEPModel):
    id: int | None = None
    code: str
    name: str | None = None
    id_type: str | None = Field(None, alias="idType")
    description: str | None = None
    status: str | None = None
    custom: bool | None = None
    create_time: int | None = Field(None, alias="createTime")
    update_time: int | None = Field(None, alias="updateTime")


# --- Catalog ------------------------------------------------------------------------------------


class Dataset(AEPModel):
    id: str
    name: str | None = None
    description: str | None = None
    ims_org: str | None = Field(None, alias="imsOrg")
    schema_ref: SchemaRef | None = Field(None, alias="schemaRef")
    tags: dict[str, list[str]] | None = None
    created: int | None = None
    updated: int | None = None
    last_batch_id: str | None = Field(None, alias="lastBatchId")
    last_batch_status: str | None = Field(None, alias="lastBatchStatus")

    def tag_enabled(self, name: str) -> bool:
        values = (self.tags or {}).get(name) or []
        return any(v.replace(" ", "").lower() == "enabled:true" for v in values)

    @property
    def profile_enabled(self) -> bool:
        return self.tag_enabled("unifiedProfile")

    @property
    def identity_enabled(self) -> bool:
        return self.tag_enabled("unifiedIdentity")


class Batch(AEPModel):
    id: str
    status: str | None = None
    record_count: int | None = Field(None, alias="recordCount")
    failed_record_count: int | None = Field(None, alias="failedRecordCount")
    size: int | None = None
    errors: list[dict[str, Any]] | None = None
    related_objects: list[dict[str, Any]] | None = Field(None, alias="relatedObjects")
    created: int | None = None
    updated: int | None = None
    started: int | None = None
    completed: int | None = None
    metrics: dict[str, Any] | None = None

    @property
    def dataset_ids(self) -> list[str]:
        return [o.get("id") for o in self.related_objects or [] if o.get("type") == "dataSet"]


# --- Flow Service ---------------------------------------------------------------------------------


class FlowEntity(AEPModel):
    """A connection, source/target connection or flow (``items[0]`` of a GET)."""

    id: str
    name: str | None = None
    description: str | None = None
    connection_spec: dict[str, Any] | None = Field(None, alias="connectionSpec")
    flow_spec: dict[str, Any] | None = Field(None, alias="flowSpec")
    auth: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    state: str | None = None
    etag: str | None = None
    base_connection_id: str | None = Field(None, alias="baseConnectionId")
    source_connection_ids: list[str] | None = Field(None, alias="sourceConnectionIds")
    target_connection_ids: list[str] | None = Field(None, alias="targetConnectionIds")
    created_at: int | None = Field(None, alias="createdAt")

    @property
    def auth_params(self) -> dict[str, Any]:
        return (self.auth or {}).get("params") or {}

    @property
    def inlet_id(self) -> str | None:
        """The streaming ``CONNECTION_ID`` (64-hex inletId) of a streaming base connection."""
        return self.auth_params.get("inletId")

    @property
    def inlet_url(self) -> str | None:
        return self.auth_params.get("inletUrl")

    @property
    def authentication_required(self) -> bool:
        return bool(self.auth_params.get("authenticationRequired"))


class Inlet(AEPModel):
    """Legacy ``/data/core/edge/inlet`` data inlet."""

    inlet_id: str = Field(alias="inletId")
    inlet_url: str | None = Field(None, alias="inletUrl")
    name: str | None = None
    description: str | None = None
    source_id: str | None = Field(None, alias="sourceId")
    data_type: str | None = Field(None, alias="dataType")
    authentication_required: bool | None = Field(None, alias="authenticationRequired")


# --- Streaming ------------------------------------------------------------------------------------


class StreamingAck(AEPModel):
    """Answer to one message (200, or a 400 sync-validation failure raised as ``ValidationFailed``)."""

    inlet_id: str | None = Field(None, alias="inletId")
    xaction_id: str | None = Field(None, alias="xactionId")
    received_time_ms: int | None = Field(None, alias="receivedTimeMs")
    sync_validation: dict[str, Any] | None = Field(None, alias="syncValidation")
    status: int = 200
    started_at: float = 0.0  # epoch seconds, when the request was sent
    duration_s: float = 0.0  # round-trip time

    @property
    def validation_passed(self) -> bool | None:
        if not self.sync_validation or self.sync_validation.get("skipped"):
            return None
        return self.sync_validation.get("status") == "pass"


class MessageResult(AEPModel):
    """Per-message outcome in a batch (both the ``status`` and the ``statusCode`` form)."""

    index: int
    ok: bool
    status: int
    xaction_id: str | None = None
    message: str | None = None
    raw: dict[str, Any] | None = None


class BatchAck(AEPModel):
    inlet_id: str | None = None
    batch_id: str | None = None
    received_time_ms: int | None = None
    http_status: int = 207
    results: list[MessageResult] = Field(default_factory=list)
    started_at: float = 0.0
    duration_s: float = 0.0

    @property
    def failed(self) -> list[MessageResult]:
        return [r for r in self.results if not r.ok]

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.results if r.ok)


# --- Profile ------------------------------------------------------------------------------------


class ProfileEntity(AEPModel):
    xid: str
    entity_id: str | None = Field(None, alias="entityId")
    entity: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    identity_graph: list[str] = Field(default_factory=list, alias="identityGraph")
    merge_policy: dict[str, Any] | None = Field(None, alias="mergePolicy")
    last_modified_at: str | None = Field(None, alias="lastModifiedAt")


class EventItem(AEPModel):
    entity_id: str | None = Field(None, alias="entityId")
    related_entity_id: str | None = Field(None, alias="relatedEntityId")
    timestamp: int | str | None = None
    entity: dict[str, Any] = Field(default_factory=dict)
    last_modified_at: str | None = Field(None, alias="lastModifiedAt")


class EventPage(AEPModel):
    page: dict[str, Any] = Field(default_factory=dict, alias="_page")
    children: list[EventItem] = Field(default_factory=list)
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")

    @property
    def next_href(self) -> str | None:
        nxt = (self.links.get("next") or {}).get("href") if isinstance(self.links.get("next"), dict) else None
        return nxt or None


class MergePolicy(AEPModel):
    id: str
    name: str | None = None
    ims_org_id: str | None = Field(None, alias="imsOrgId")
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    identity_graph: dict[str, Any] | None = Field(None, alias="identityGraph")
    attribute_merge: dict[str, Any] | None = Field(None, alias="attributeMerge")
    default: bool | None = None
    is_active_on_edge: bool | None = Field(None, alias="isActiveOnEdge")


# --- Data access ----------------------------------------------------------------------------------


class BatchFile(AEPModel):
    data_set_file_id: str = Field(alias="dataSetFileId")
    data_set_view_id: str | None = Field(None, alias="dataSetViewId")
    records: int | None = None
    size: int | None = None
    is_valid: bool | None = Field(None, alias="isValid")
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")


class FileEntry(AEPModel):
    name: str
    length: int | str | None = None
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")
