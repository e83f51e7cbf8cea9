"""The types of the properties a collection's features carry, for its Part 5 schema.

Read from the values themselves, so the schema cannot drift from what the features hold.
"""

from __future__ import annotations

from layers.query import FeatureStore


def property_types(store: FeatureStore) -> dict[str, dict[str, object]]:
    """A JSON Schema type for every property the features carry, from their values: "integer",
    "number", "string", "boolean", "object", or "array" (with its items' type when one)."""
    def kind(value: object) -> str:
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "integer"
        if isinstance(value, float):
            return "number"
        if isinstance(value, dict):
            return "object"
        if isinstance(value, list | tuple):
            return "array"
        return "string"

    def compute() -> dict[str, dict[str, object]]:
        seen: dict[str, set[str]] = {name: set() for name in store.property_names()}
        items: dict[str, set[str]] = {}
        for p in store.properties:
            for name, value in p.items():
                if value is None:
                    continue
                seen[name].add(kind(value))
                if isinstance(value, list | tuple):
                    items.setdefault(name, set()).update(kind(v) for v in value if v is not None)
        out: dict[str, dict[str, object]] = {}
        for name, kinds in seen.items():
            if kinds == {"integer", "number"}:
                kinds = {"number"}
            schema: dict[str, object] = {"type": kinds.pop() if len(kinds) == 1 else "string"}
            if schema["type"] == "array" and len(items.get(name, ())) == 1:
                schema["items"] = {"type": next(iter(items[name]))}
            out[name] = schema
        return out

    return store.memo("property_types", compute)  # type: ignore[return-value]
