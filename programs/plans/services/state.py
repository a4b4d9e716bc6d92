"""A plan's stored engine values as the engine's types: the runner context, the policy
and the state in force (plan_state), and the template as a TemplateSpec."""

from __future__ import annotations

from programs.engine.serialize import from_json
from programs.engine.specs import (
    PlanState,
    Policy,
    RunnerContext,
    TemplateSpec,
)
from programs.plans.models import (
    Plan,
)


def template_spec_for(template) -> TemplateSpec:
    from programs.content.selectors import template_spec

    return template_spec(template)


def plan_context(plan: Plan) -> RunnerContext:
    return from_json(RunnerContext, plan.context)


def plan_policy(plan: Plan) -> Policy:
    return from_json(Policy, plan.policy or {})


def plan_state(plan: Plan) -> PlanState:
    revision = plan.current_revision
    if revision is None:  # every plan has one from plan_generate on
        raise ValueError(f"plan {plan.pk} has no current revision")
    return from_json(PlanState, revision.state)


OPEN_STATUSES = (Plan.Status.ACTIVE, Plan.Status.PAUSED, Plan.Status.REFERRED)
