"""The vendored Bot API specification: method lookup, value coercion and shape checks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.files import UploadedFile

_INTEGER = re.compile(r"[+-]?\d+")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
# What Telegram says when a required parameter is missing; anything else gets the generic sentence.
_MISSING = {
    "text": "message text is empty",
    "chat_id": "chat_id is empty",
    "document": "there is no document in the request",
    "photo": "there is no photo in the request",
    "callback_query_id": "query_id is empty",
    "inline_query_id": "query_id is empty",
}
# Checking nested objects deeper than this only costs time; Telegram's own objects are shallow.
_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class SpecViolation:
    """Something the bot sent that the Bot API does not define: a test should fail on it."""

    method: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method}.{self.field}: {self.problem}"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One parameter of a method (or field of a type)."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """One Bot API method as the spec describes it."""

    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]

    @property
    def returns_boolean(self) -> bool:
        """True when the method answers plain `true` on success."""
        return self.returns == ("Boolean",)


class BotApiSpec:
    """The parsed specification, with case-insensitive method lookup as Telegram does."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.version: str = str(document.get("version", ""))
        self.types: dict[str, dict[str, Any]] = document["types"]
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(name, _fields(raw.get("fields", [])), tuple(raw.get("returns", [])))
            for name, raw in document["methods"].items()
        }
        self._by_lower = {name.lower(): spec for name, spec in self.methods.items()}
        self._type_fields = {
            name: _fields(raw["fields"]) for name, raw in self.types.items() if "fields" in raw
        }

    def method(self, name: str) -> MethodSpec | None:
        """The method called `name` (any letter case), or None if the Bot API has no such method."""
        return self._by_lower.get(name.lower())

    def coerce(
        self, method: MethodSpec, raw: dict[str, Any], uploads: dict[str, UploadedFile]
    ) -> tuple[dict[str, Any], list[SpecViolation]]:
        """Turn raw request values into typed ones; report fields and types the method does not have."""
        params: dict[str, Any] = {}
        violations: list[SpecViolation] = []
        for name, value in raw.items():
            spec = method.fields.get(name)
            if spec is None:
                violations.append(SpecViolation(method.name, name, "the method has no such parameter"))
                params[name] = value
                continue
            coerced, problems = self._coerce_field(spec, value, uploads)
            violations.extend(SpecViolation(method.name, name, problem) for problem in problems)
            params[name] = coerced
        return params, violations

    def require(self, method: MethodSpec, params: dict[str, Any]) -> None:
        """Raise Telegram's 400 for the first required parameter that is missing or empty."""
        for spec in method.fields.values():
            if spec.required and params.get(spec.name) in (None, ""):
                raise bad_request(_MISSING.get(spec.name, f"parameter {spec.name} is required"))

    def check(self, types: tuple[str, ...], value: Any, path: str = "", depth: int = 0) -> list[str]:
        """Problems with `value` as one of `types` (empty when it fits one of them)."""
        best: list[str] | None = None
        for type_name in types:
            problems = self._check_one(type_name, value, path, depth)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    def _coerce_field(
        self, spec: FieldSpec, value: Any, uploads: dict[str, UploadedFile]
    ) -> tuple[Any, list[str]]:
        if isinstance(value, UploadedFile):
            if "InputFile" in spec.types:
                return value, []
            return value, [f"a file was uploaded but the parameter is {' or '.join(spec.types)}"]
        if isinstance(value, str):
            value = self._from_text(spec, value, uploads)
            if isinstance(value, UploadedFile):
                return value, []
        return value, self.check(spec.types, value, spec.name)

    def _from_text(self, spec: FieldSpec, text: str, uploads: dict[str, UploadedFile]) -> Any:
        """Read a form or query-string value the way Telegram does: by the parameter's declared type."""
        if "InputFile" in spec.types and text.startswith("attach://"):
            attached = uploads.get(text.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified for {spec.name}")
            return attached
        for type_name in spec.types:
            if type_name == "Integer" and _INTEGER.fullmatch(text.strip()):
                return int(text)
            if type_name == "Float":
                try:
                    return float(text)
                except ValueError:
                    continue
            if type_name == "Boolean" and text.lower() in _BOOLEANS:
                return _BOOLEANS[text.lower()]
            if type_name in ("String", "InputFile"):
                return text
        if any(t.startswith("Array of") or t in self.types for t in spec.types):
            try:
                return json.loads(text)
            except ValueError:
                raise bad_request(f"can't parse {spec.name} JSON object") from None
        return text

    def _check_one(self, type_name: str, value: Any, path: str, depth: int) -> list[str]:
        where = path or "value"
        if type_name == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
            return [] if ok else [f"{where} should be an Integer, got {value!r:.40}"]
        if type_name == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return [] if ok else [f"{where} should be a Float, got {value!r:.40}"]
        if type_name == "Boolean":
            return [] if isinstance(value, bool) else [f"{where} should be a Boolean, got {value!r:.40}"]
        if type_name in ("String", "InputFile"):
            return [] if isinstance(value, str) else [f"{where} should be a String, got {value!r:.40}"]
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where} should be an {type_name}"]
            inner = (type_name.removeprefix("Array of "),)
            return [p for i, item in enumerate(value) for p in self.check(inner, item, f"{path}[{i}]", depth)]
        if depth > _MAX_DEPTH:
            return []
        raw_type = self.types.get(type_name)
        if raw_type is None:
            return []
        if subtypes := raw_type.get("subtypes"):
            return self.check(tuple(subtypes), value, path, depth + 1)
        return self._check_object(type_name, value, path, depth)

    def _check_object(self, type_name: str, value: Any, path: str, depth: int) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path or 'value'} should be a {type_name} object"]
        fields = self._type_fields.get(type_name, {})
        problems = [f"{path}.{key}: {type_name} has no such field" for key in value if key not in fields]
        for spec in fields.values():
            if spec.name not in value:
                if spec.required:
                    problems.append(f"{path}.{spec.name}: required by {type_name} but missing")
                continue
            problems.extend(self.check(spec.types, value[spec.name], f"{path}.{spec.name}", depth + 1))
        return problems


def _fields(raw_fields: list[dict[str, Any]]) -> dict[str, FieldSpec]:
    return {f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw_fields}


@cache
def load_spec() -> BotApiSpec:
    """The vendored Bot API spec, read once per process."""
    text = resources.files("bot.sandbox").joinpath("spec/api.min.json").read_text(encoding="utf-8")
    return BotApiSpec(json.loads(text))
