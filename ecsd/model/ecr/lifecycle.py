"""ECR lifecycle policies: the policy text checked as AWS checks it, and the rules applied
to a repository's images — a pure function, so PutLifecyclePolicy, the preview and the
controller that really expires images (controllers/ecr_lifecycle.py) share one engine
and its unit tests need no store.

How AWS evaluates a policy (Amazon ECR user guide, "Lifecycle policy evaluation rules"):
- rules run from the lowest `rulePriority` to the highest; a `tagStatus: any` rule must
  have the highest priority;
- a rule *identifies* the images its selection matches: `untagged` (no tag), `any`, or
  `tagged` with a `tagPrefixList` / `tagPatternList` of which EVERY entry matches at
  least one of the image's tags (a pattern's `*` matches any run of characters);
- `imageCountMoreThan n`: the identified images, newest push first, past the first n are
  expired; `sinceImagePushed n days`: those pushed more than n days ago;
- an image is expired by exactly one or zero rules, and an image identified by a
  higher-priority rule can never be expired by a lower-priority one — but later rules
  still count it among the images they identify ("as if it had not been expired"): in
  the guide's example, rule 1 (prod*, keep 1) expires A, rule 2 (beta*, keep 1) would
  expire A and B, A is already expired and B was identified by rule 1, so only A goes.

The error texts of `check` are those of AWS's schema validator (`Invalid parameter at
'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure:
…'`); where AWS's exact wording of a semantic rule is not known the tail is ecsd's own,
said so at each place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

DAY = 86400.0
_PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
_FAILURE = "'Lifecycle policy validation failure: "
# The most wildcards one tagPatternList entry may hold (AWS documents four).
MAX_WILDCARDS = 4
# ecsd's own bound on list lengths inside the policy (the text is at most 30,720
# characters anyway; AWS documents no number).
MAX_TAG_FILTERS = 100


class PolicyError(ValueError):
    """A policy text AWS would refuse: `message` is the InvalidParameterException text."""

    def __init__(self, detail: str) -> None:
        super().__init__(_PREFIX + _FAILURE + detail + "'")
        self.message = _PREFIX + _FAILURE + detail + "'"


@dataclass(frozen=True)
class Rule:
    priority: int
    description: str | None
    tag_status: str  # tagged | untagged | any
    prefixes: tuple[str, ...]
    patterns: tuple[str, ...]
    count_type: str  # imageCountMoreThan | sinceImagePushed
    count_number: int


@dataclass(frozen=True)
class Image:
    """What the engine needs of an image: its digest, tags and push time (epoch s)."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: float


@dataclass(frozen=True)
class Expiry:
    """One image a rule expires, and the rule's priority (`appliedRulePriority`)."""

    image: Image
    priority: int


_RULE_KEYS = {"rulePriority", "description", "selection", "action"}
_SELECTION_KEYS = {
    "tagStatus",
    "tagPrefixList",
    "tagPatternList",
    "countType",
    "countUnit",
    "countNumber",
}
_TAG_STATUS = ("any", "tagged", "untagged")
_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")


def check(text: str) -> list[Rule]:
    """The rules of a policy text, in evaluation order; PolicyError for one AWS refuses."""
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise PolicyError("Could not map policyString into LifecyclePolicy.") from None
    if not isinstance(doc, dict):
        raise PolicyError(_type_error(doc, "object"))
    if "rules" not in doc:
        raise PolicyError('object has missing required properties (["rules"])')
    extra = sorted(set(doc) - {"rules"})
    if extra:
        raise PolicyError(_not_allowed(extra))
    rules_doc = doc["rules"]
    if not isinstance(rules_doc, list):
        raise PolicyError(_type_error(rules_doc, "array"))
    if not rules_doc:
        raise PolicyError(
            "array is too short: must have at least 1 elements but instance has 0 elements"
        )
    rules = [_rule(r) for r in rules_doc]
    seen: set[int] = set()
    for r in rules:
        if r.priority in seen:
            # ecsd's own wording: AWS refuses duplicate priorities.
            raise PolicyError(f"rulePriority {r.priority} is used by more than one rule")
        seen.add(r.priority)
    rules.sort(key=lambda r: r.priority)
    for r in rules[:-1]:
        if r.tag_status == "any":
            # ecsd's own wording of AWS's documented rule.
            raise PolicyError(
                "a rule with tagStatus 'any' must have the highest rulePriority value"
            )
    if sum(r.tag_status == "untagged" for r in rules) > 1:
        # ecsd's own wording: "only one rule is allowed to select untagged images".
        raise PolicyError("only one rule may select untagged images")
    return rules


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_error(value: Any, allowed: str) -> str:
    return (
        f"instance type ({_json_type(value)}) does not match any allowed primitive type "
        f'(allowed: ["{allowed}"])'
    )


def _not_allowed(keys: Sequence[str]) -> str:
    listed = ",".join(f'"{k}"' for k in keys)
    return f"object instance has properties which are not allowed by the schema: ([{listed}])"


def _missing(doc: dict[str, Any], required: Iterable[str]) -> None:
    gone = sorted(k for k in required if k not in doc)
    if gone:
        listed = ",".join(f'"{k}"' for k in gone)
        raise PolicyError(f"object has missing required properties ([{listed}])")


def _enum(value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        listed = ",".join(f'"{a}"' for a in allowed)
        raise PolicyError(
            f"instance value ({value}) not found in enum (possible values: [{listed}])"
        )


def _integer(value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(_type_error(value, "integer"))
    if value < minimum:
        raise PolicyError(
            f"numeric instance is lower than the required minimum (minimum: {minimum}, "
            f"found: {value})"
        )
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PolicyError(_type_error(value, "array"))
    if not value:
        raise PolicyError(
            "array is too short: must have at least 1 elements but instance has 0 elements"
        )
    if len(value) > MAX_TAG_FILTERS:
        # ecsd's own bound and wording.
        raise PolicyError(f"array is too long: must have at most {MAX_TAG_FILTERS} elements")
    for v in value:
        if not isinstance(v, str):
            raise PolicyError(_type_error(v, "string"))
    return tuple(value)


def _rule(doc: Any) -> Rule:
    if not isinstance(doc, dict):
        raise PolicyError(_type_error(doc, "object"))
    _missing(doc, ("action", "rulePriority", "selection"))
    extra = sorted(set(doc) - _RULE_KEYS)
    if extra:
        raise PolicyError(_not_allowed(extra))
    priority = _integer(doc["rulePriority"], 1)
    description = doc.get("description")
    if description is not None and not isinstance(description, str):
        raise PolicyError(_type_error(description, "string"))
    action = doc["action"]
    if not isinstance(action, dict):
        raise PolicyError(_type_error(action, "object"))
    _missing(action, ("type",))
    extra = sorted(set(action) - {"type"})
    if extra:
        raise PolicyError(_not_allowed(extra))
    _enum(action["type"], ("expire",))
    sel = doc["selection"]
    if not isinstance(sel, dict):
        raise PolicyError(_type_error(sel, "object"))
    _missing(sel, ("countNumber", "countType", "tagStatus"))
    extra = sorted(set(sel) - _SELECTION_KEYS)
    if extra:
        raise PolicyError(_not_allowed(extra))
    _enum(sel["tagStatus"], _TAG_STATUS)
    count_type = sel["countType"]
    if count_type not in _COUNT_TYPES:
        # AWS's schema has one branch per count type, so an unknown one matches none.
        raise PolicyError("instance failed to match exactly one schema (matched 0 out of 2)")
    number = _integer(sel["countNumber"], 1)
    if count_type == "sinceImagePushed":
        if "countUnit" not in sel:
            raise PolicyError('object has missing required properties (["countUnit"])')
        _enum(sel["countUnit"], ("days",))
    elif "countUnit" in sel:
        raise PolicyError(_not_allowed(["countUnit"]))
    prefixes = _strings(sel["tagPrefixList"]) if "tagPrefixList" in sel else ()
    patterns = _strings(sel["tagPatternList"]) if "tagPatternList" in sel else ()
    status = sel["tagStatus"]
    if prefixes and patterns:
        # ecsd's own wording: AWS accepts one of the two lists in a rule.
        raise PolicyError("tagPrefixList and tagPatternList cannot both be specified")
    if status == "tagged" and not (prefixes or patterns):
        # ecsd's own wording: a tagged rule must say which tags.
        raise PolicyError(
            "tagPrefixList or tagPatternList must be specified when tagStatus is 'tagged'"
        )
    if status != "tagged" and (prefixes or patterns):
        # ecsd's own wording: the lists only apply to tagged images.
        raise PolicyError(
            "tagPrefixList and tagPatternList can only be used when tagStatus is 'tagged'"
        )
    for p in patterns:
        if p.count("*") > MAX_WILDCARDS:
            # ecsd's own wording of AWS's documented limit.
            raise PolicyError(
                f"tagPatternList entry '{p[:128]}' has more than {MAX_WILDCARDS} wildcards"
            )
    return Rule(priority, description, status, prefixes, patterns, count_type, number)


def _pattern(p: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in p.split("*")), re.DOTALL)


def identifies(rule: Rule, image: Image) -> bool:
    """Whether `rule`'s selection matches `image` (before counting)."""
    if rule.tag_status == "any":
        return True
    if rule.tag_status == "untagged":
        return not image.tags
    if not image.tags:
        return False
    if rule.prefixes:
        return all(any(t.startswith(p) for t in image.tags) for p in rule.prefixes)
    regexes = [_pattern(p) for p in rule.patterns]
    return all(any(r.fullmatch(t) for t in image.tags) for r in regexes)


def evaluate(rules: Sequence[Rule], images: Iterable[Image], now: float) -> list[Expiry]:
    """The images the policy expires at `now`, each with the rule that expires it, oldest
    push first."""
    pool = list(images)
    claimed: set[str] = set()  # identified by a higher-priority rule
    out: dict[str, Expiry] = {}
    for rule in sorted(rules, key=lambda r: r.priority):
        # Newest first; the digest breaks ties so the answer never depends on row order.
        found = sorted(
            (i for i in pool if identifies(rule, i)),
            key=lambda i: (-i.pushed_at, i.digest),
        )
        if rule.count_type == "imageCountMoreThan":
            marked = found[rule.count_number :]
        else:
            limit = now - rule.count_number * DAY
            marked = [i for i in found if i.pushed_at < limit]
        for image in marked:
            if image.digest not in claimed and image.digest not in out:
                out[image.digest] = Expiry(image, rule.priority)
        claimed.update(i.digest for i in found)
    return sorted(out.values(), key=lambda e: (e.image.pushed_at, e.image.digest))
