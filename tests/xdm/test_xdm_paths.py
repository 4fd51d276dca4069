"""JSON pointer ↔ JSON path conversions."""

from __future__ import annotations

import pytest

from aep_console.xdm.names import platform_name, to_platform_instance
from aep_console.xdm.paths import (
    get_by_pointer,
    path_to_pointer,
    pointer_from_parts,
    pointer_to_path,
    set_by_pointer,
)


@pytest.mark.parametrize(
    "pointer, path",
    [
        ("#", "$"),
        ("#/_id", "$._id"),
        ("#/a/0/b", "$.a[0].b"),
        ("#/identityMap/Email/0/id", "$.identityMap.Email[0].id"),
        ("#/first name/x", "$['first name'].x"),
        ("#/a~1b/c~0d", "$['a/b']['c~d']"),
        ("#/it's", "$['it\\'s']"),
        ("#/https:~1~1ns.adobe.com~1x", "$['https://ns.adobe.com/x']"),
    ],
)
def test_round_trip(pointer, path):
    assert pointer_to_path(pointer) == path
    assert path_to_pointer(path) == pointer


def test_instance_disambiguates_numeric_keys():
    instance = {"a": {"0": {"b": 1}}, "l": [{"b": 2}]}
    assert pointer_to_path("#/a/0/b", instance) == "$.a['0'].b"
    assert pointer_to_path("#/l/0/b", instance) == "$.l[0].b"
    assert get_by_pointer(instance, "#/a/0/b") == 1 and get_by_pointer(instance, "/l/0/b") == 2
    assert get_by_pointer(instance, "#/l/5/b", "missing") == "missing"


def test_double_quoted_paths_and_errors():
    assert path_to_pointer('$["a.b"][2]') == "#/a.b/2"
    with pytest.raises(ValueError):
        path_to_pointer("a.b")
    with pytest.raises(ValueError):
        pointer_to_path("a/b")
    with pytest.raises(ValueError):
        path_to_pointer("$.a[")


def test_parts_and_set():
    assert pointer_from_parts(["a", 0, "b/c"]) == "#/a/0/b~1c"
    record: dict = {}
    set_by_pointer(record, "#/_t/x", 1)
    assert record == {"_t": {"x": 1}}


def test_platform_name_rule():
    assert platform_name("xdm:timestamp") == (None, "timestamp")
    assert platform_name("@id") == (None, "_id")
    assert platform_name("repo:createDate") == ("_repo", "createDate")
    assert platform_name("iptc4xmpExt:City") == ("_iptc4xmpExt", "City")
    assert platform_name("https://ns.adobe.com/x") == (None, "https://ns.adobe.com/x")
    assert platform_name("ECID") == (None, "ECID")
    assert to_platform_instance({"@id": "1", "xdm:a": [{"schema:latitude": 1, "schema:longitude": 2}]}) == {
        "_id": "1",
        "a": [{"_schema": {"latitude": 1, "longitude": 2}}],
    }
