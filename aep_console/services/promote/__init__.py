"""Promote a set-up between sandboxes and orgs: read it from a source (following dependencies),
rewrite it into the target's tenant/org/ids, diff it against the target (a plan: create /
identical / conflicting with a field-level diff), apply the reviewed plan as one transaction.
The same set-up travels as a versioned JSON bundle (``bundle.py``).

    bundle = await SetupReader(source_session).read(Selection(datasets=[ds_id]))
    plan = await Planner(target_session).plan(bundle)
    print(plan.summary())
    report = await apply_plan(target_session, plan, accept_irreversible=True)
"""

from .apply import PromoteRefused, apply_plan, check_applicable
from .bundle import Bundle, Resource, Selection, bundle_schema, validate_bundle
from .content import ABSENT, PromoteError
from .plan import CONFLICT, CREATE, IDENTICAL, PROFILE, FieldDiff, Plan, PlanItem, Planner
from .reader import SetupReader
from .rewrite import Rewriter
from .targets import StreamingTarget, streaming_targets

__all__ = ["ABSENT", "CONFLICT", "CREATE", "IDENTICAL", "PROFILE", "Bundle", "FieldDiff", "Plan",
           "PlanItem", "Planner", "PromoteError", "PromoteRefused", "Resource", "Rewriter", "Selection",
           "SetupReader", "StreamingTarget", "apply_plan", "bundle_schema", "check_applicable", "streaming_targets",
           "validate_bundle"]
