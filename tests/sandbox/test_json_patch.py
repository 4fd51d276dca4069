"""RFC 6902 JSON Patch (through the jsonpatch library): the RFC's own cases, and the three a hand-written
patcher got wrong (``remove /a/-1``, ``/a/01``, ``test`` of ``1`` against ``true``)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from aep_console.sandbox.http.json_patch import PatchError, apply_patch

from .test_schema_registry import PERSON, PROFILE, SR, make_schema


@pytest.mark.parametrize(
    ("doc", "ops", "expected"),
    [  # RFC 6902 appendix A
        ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
        ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
        ({"baz": "qux"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo"}),
        ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
         [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
         {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
        ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
         {"foo": ["all", "cows", "eat", "grass"]}),
        ({"baz": "qux", "foo": ["a", 2, "c"]},
         [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
         {"baz": "qux", "foo": ["a", 2, "c"]}),
        ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
         {"foo": "bar", "child": {"grandchild": {}}}),
        ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
        ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
        ({"a": 1.0}, [{"op": "test", "path": "/a", "value": 1}], {"a": 1.0}),  # numbers equal by value
    ],
)
def test_rfc_examples(doc, ops, expected):
    assert apply_patch(doc, ops) == expected


@pytest.mark.parametrize(
    ("doc", "ops", "fragment"),
    [
        ({"a": [1, 2]}, [{"op": "remove", "path": "/a/-1"}], "'-1' is not a valid sequence index"),
        ({"a": [1, 2]}, [{"op": "replace", "path": "/a/01", "value": 0}], "'01' is not a valid sequence index"),
        ({"a": [1, 2]}, [{"op": "add", "path": "/a/01", "value": 0}], "'01' is not a valid sequence index"),
        ({"a": 1}, [{"op": "test", "path": "/a", "value": True}], "test failed"),
        ({"a": [0]}, [{"op": "test", "path": "/a", "value": [False]}], "test failed"),
        ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], "test failed"),
        ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], "does not exist"),
        ({"a": {}}, [{"op": "remove", "path": "/a/b"}], "does not exist"),
        ({"a": [1]}, [{"op": "add", "path": "/a/5", "value": 2}], "does not exist or cannot be changed"),
        ({"a": 1}, [{"op": "frobnicate", "path": "/a"}], "Unknown operation"),
        ({"a": 1}, [{"op": "add", "path": "/b"}], "'value'"),
        ({"a": 1}, '[{"op": "remove", "path": "/a"}]', "must be an array"),
        ({"a": 1}, {"op": "remove", "path": "/a"}, "must be an array"),
        ({"a": 1}, ["remove"], "operation 0 must be an object"),
    ],
)
def test_rfc_errors_name_the_operation(doc, ops, fragment):
    with pytest.raises(PatchError) as err:
        apply_patch(doc, ops)
    assert fragment in str(err.value)


def test_a_failed_patch_changes_nothing():
    doc = {"a": [1, 2], "b": 1}
    with pytest.raises(PatchError, match="operation 1"):
        apply_patch(doc, [{"op": "remove", "path": "/a/0"}, {"op": "test", "path": "/b", "value": True}])
    assert doc == {"a": [1, 2], "b": 1}


def test_schema_patch_refuses_a_negative_index(platform):
    schema = make_schema(platform, PROFILE, PERSON)
    r = platform.patch(f"{SR}/tenant/schemas/{quote(schema['meta:altId'])}", json=[{"op": "remove", "path": "/allOf/-1"}])
    assert r.status_code == 400 and "'-1' is not a valid sequence index" in r.json()["detail"]
    got = platform.get(f"{SR}/tenant/schemas/{quote(schema['meta:altId'])}",
                       headers={"Accept": "application/vnd.adobe.xed+json; version=1"}).json()
    assert len(got["allOf"]) == len(schema["allOf"])
