"""The fixes the validator can name, applied to a record."""

from aep_console.xdm.fixes import apply_fixes, fix_for


def test_fixes_keep_the_meaning_and_say_what_they_do():
    rec = {"_id": 5, "a": {"n": "800", "f": "1.5", "b": "true", "s": 7}, "extra": 1}
    fixes = [fix_for(rec, "#/_id", "expected type: String, found: Long"),
             fix_for(rec, "#/a/n", "expected type: Integer, found: String"),
             fix_for(rec, "#/a/f", "expected type: Number, found: String"),
             fix_for(rec, "#/a/b", "expected type: Boolean, found: String"),
             fix_for(rec, "#", "extraneous key [extra] is not permitted")]
    assert all(fixes)
    assert fixes[0].label == 'Quote $._id: 5 \u2192 "5"'
    out = apply_fixes(rec, fixes)
    assert out == {"_id": "5", "a": {"n": 800, "f": 1.5, "b": True, "s": 7}}
    assert rec["_id"] == 5  # the original is untouched
    assert fix_for(rec, "#/a/s", "required key [x] not found") is None
    assert fix_for({"n": "eight"}, "#/n", "expected type: Integer, found: String") is None
