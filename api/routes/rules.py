"""`/v1/admin/rules`: read and change the merchandising rules (bearer key, like every write).

`PUT /v1/admin/rules` replaces the whole rule set; `PUT /v1/admin/rules/{id}` adds or replaces one rule;
`DELETE /v1/admin/rules/{id}` removes one. Each change is validated whole by the engine and saved
atomically (`engine.merch.store`), so a rejected body (422 naming the field) leaves the rules as they
were; every gateway worker serves the new rules from its next search on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.schemas.common import ERROR_RESPONSES
from api.schemas.rules import RuleIn, RuleSetIn, RuleSetOut
from engine.errors import InvalidInput, NotFound
from engine.merch.rules import RuleSet, parse_rule
from engine.merch.store import RuleStore, rules_path

router = APIRouter(
    prefix="/v1/admin/rules",
    tags=["admin"],
    dependencies=[Depends(require_writer)],
    responses=ERROR_RESPONSES,
)


def _store(services: Services) -> RuleStore:
    return RuleStore(rules_path(services.settings))


def _out(rules: RuleSet) -> RuleSetOut:
    return RuleSetOut.model_validate(rules.to_dict())


def _dump(model: RuleIn) -> dict[str, Any]:
    return model.model_dump(exclude_none=True)


@router.get("", response_model=RuleSetOut, summary="The merchandising rules in force")
async def get_rules(services: ServicesDep) -> RuleSetOut:
    return _out(await run_in_threadpool(_store(services).current))


@router.put("", response_model=RuleSetOut, summary="Replace every merchandising rule")
async def put_rules(body: RuleSetIn, services: ServicesDep) -> RuleSetOut:
    new = RuleSet.from_dict(
        {"bury_unavailable": body.bury_unavailable, "rules": [_dump(r) for r in body.rules]}
    )
    return _out(await run_in_threadpool(_store(services).update, lambda _: new))


@router.put("/{rule_id}", response_model=RuleSetOut, summary="Add or replace one rule")
async def put_rule(rule_id: str, body: RuleIn, services: ServicesDep) -> RuleSetOut:
    if body.id != rule_id:
        raise InvalidInput(f"id: {body.id!r} does not match the rule id in the path ({rule_id!r})")
    rule = parse_rule(_dump(body))

    def change(rules: RuleSet) -> RuleSet:
        listed = [rule.to_dict() if r.id == rule_id else r.to_dict() for r in rules.rules]
        if rules.rule(rule_id) is None:
            listed.append(rule.to_dict())
        return RuleSet.from_dict({"bury_unavailable": rules.bury_unavailable, "rules": listed})

    return _out(await run_in_threadpool(_store(services).update, change))


@router.delete("/{rule_id}", response_model=RuleSetOut, summary="Remove one rule")
async def delete_rule(rule_id: str, services: ServicesDep) -> RuleSetOut:
    def change(rules: RuleSet) -> RuleSet:
        if rules.rule(rule_id) is None:
            raise NotFound(f"no rule with id {rule_id!r}")
        kept = [r.to_dict() for r in rules.rules if r.id != rule_id]
        return RuleSet.from_dict({"bury_unavailable": rules.bury_unavailable, "rules": kept})

    return _out(await run_in_threadpool(_store(services).update, change))
