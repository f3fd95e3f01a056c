//! The JSON-schema checker: a value against the part of JSON Schema that
//! utoipa writes.

use std::collections::BTreeSet;

use serde_json::Value;

/// The schema named by `schema`'s `$ref`, or `schema` itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The property names an object schema documents, through `allOf`.
fn property_names(doc: &Value, schema: &Value, out: &mut BTreeSet<String>) {
    let schema = resolve(doc, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        out.extend(properties.keys().cloned());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        property_names(doc, part, out);
    }
}

/// Checks `value` against `schema`, for the part of JSON Schema utoipa
/// writes. Stricter than JSON Schema in one way: an object may not hold a
/// property its schema does not name (an undocumented field is drift too),
/// unless the schema names none (a free-form object).
pub(super) fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // Each part names only its own properties: what another part names
        // is documented.
        let mut named = BTreeSet::new();
        property_names(doc, schema, &mut named);
        let documented_elsewhere = |p: &String| {
            named
                .iter()
                .any(|k| *p == format!("{at}.{k}{UNDOCUMENTED}"))
        };
        for part in parts {
            let mut part_problems = Vec::new();
            check(doc, part, value, at, &mut part_problems);
            out.extend(
                part_problems
                    .into_iter()
                    .filter(|p| !documented_elsewhere(p)),
            );
        }
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = choices
            .iter()
            .filter(|choice| {
                let mut problems = Vec::new();
                check(doc, choice, value, at, &mut problems);
                problems.is_empty()
            })
            .count();
        if matching != 1 {
            out.push(format!("{at}: {value} matches {matching} of {choices:?}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        out.push(format!("{at}: {value} is not {expected}"));
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
        if !fits {
            out.push(format!("{at}: {value} is not of type {types:?}"));
            return;
        }
    }
    match value {
        Value::Object(map) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                if !map.contains_key(name) {
                    out.push(format!("{at}: required {name} is missing"));
                }
            }
            let mut named = BTreeSet::new();
            property_names(doc, schema, &mut named);
            for (key, v) in map {
                let path = format!("{at}.{key}");
                match schema["properties"].get(key) {
                    Some(property) => check(doc, property, v, &path, out),
                    None => match schema.get("additionalProperties") {
                        Some(extra) if extra.is_object() => check(doc, extra, v, &path, out),
                        _ if !named.is_empty() && !named.contains(key) => {
                            out.push(format!("{path}{UNDOCUMENTED}"))
                        }
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    check(doc, item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

const UNDOCUMENTED: &str = ": undocumented field";
