//! The pure Terraform functions that cache configurations use to build names and versions
//! (`lookup(var.engines, terraform.workspace)`, `format("%s-%s", …)`, `replace(family, ".", "-")`).
//! Semantics follow the Terraform function reference; anything else is reported as unknown.

use super::eval::{number_f64, to_template_string};
use serde_json::{Map, Value};

pub fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    let s = |i: usize| -> Result<String, String> {
        args.get(i).and_then(to_template_string).ok_or_else(|| format!("{name}(): argument {} is not a string", i + 1))
    };
    match name {
        "lower" => Ok(Value::String(s(0)?.to_lowercase())),
        "upper" => Ok(Value::String(s(0)?.to_uppercase())),
        "trimspace" => Ok(Value::String(s(0)?.trim().to_string())),
        "tostring" => match args.first() {
            Some(Value::Null) => Ok(Value::Null),
            _ => Ok(Value::String(s(0)?)),
        },
        "tonumber" => match args.first() {
            Some(Value::Number(n)) => Ok(Value::Number(n.clone())),
            Some(Value::String(t)) => t.parse::<f64>().map(number_f64).map_err(|_| format!("tonumber(\"{t}\")")),
            _ => Err("tonumber(): not a number".into()),
        },
        "tobool" => match args.first() {
            Some(Value::Bool(b)) => Ok(Value::Bool(*b)),
            Some(Value::String(t)) if t == "true" || t == "false" => Ok(Value::Bool(t == "true")),
            _ => Err("tobool(): not a bool".into()),
        },
        "replace" => {
            let (text, from, to) = (s(0)?, s(1)?, s(2)?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return Err("replace() with a regular expression is not evaluated statically".into());
            }
            Ok(Value::String(text.replace(&from, &to)))
        }
        "join" => {
            let sep = s(0)?;
            let mut parts = Vec::new();
            for list in &args[1..] {
                let Value::Array(items) = list else { return Err("join(): not a list".into()) };
                for item in items {
                    parts.push(to_template_string(item).ok_or("join(): a list element is not a string")?);
                }
            }
            Ok(Value::String(parts.join(&sep)))
        }
        "split" => Ok(Value::Array(s(1)?.split(s(0)?.as_str()).map(|p| Value::String(p.to_string())).collect())),
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                let Value::Array(items) = a else { return Err("concat(): not a list".into()) };
                out.extend(items.iter().cloned());
            }
            Ok(Value::Array(out))
        }
        "merge" => {
            let mut out = Map::new();
            for a in args {
                match a {
                    Value::Object(m) => out.extend(m.clone()),
                    Value::Null => {}
                    _ => return Err("merge(): not a map".into()),
                }
            }
            Ok(Value::Object(out))
        }
        "lookup" => {
            let Some(Value::Object(map)) = args.first() else { return Err("lookup(): not a map".into()) };
            let key = s(1)?;
            match (map.get(&key), args.get(2)) {
                (Some(v), _) => Ok(v.clone()),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(format!("lookup(): no key \"{key}\" and no default")),
            }
        }
        "element" => {
            let Some(Value::Array(items)) = args.first() else { return Err("element(): not a list".into()) };
            let i = args.get(1).and_then(Value::as_u64).ok_or("element(): index is not a number")? as usize;
            if items.is_empty() {
                return Err("element(): empty list".into());
            }
            Ok(items[i % items.len()].clone())
        }
        "length" => match args.first() {
            Some(Value::Array(a)) => Ok(Value::from(a.len())),
            Some(Value::Object(m)) => Ok(Value::from(m.len())),
            Some(Value::String(t)) => Ok(Value::from(t.chars().count())),
            _ => Err("length(): not a collection".into()),
        },
        "contains" => {
            let Some(Value::Array(items)) = args.first() else { return Err("contains(): not a list".into()) };
            Ok(Value::Bool(args.get(1).is_some_and(|v| items.contains(v))))
        }
        "format" => format(&s(0)?, &args[1..]),
        "max" | "min" => {
            let nums: Option<Vec<f64>> = args.iter().map(Value::as_f64).collect();
            let nums = nums.ok_or_else(|| format!("{name}(): not numbers"))?;
            let pick = if name == "max" {
                nums.iter().cloned().fold(f64::MIN, f64::max)
            } else {
                nums.iter().cloned().fold(f64::MAX, f64::min)
            };
            Ok(number_f64(pick))
        }
        other => Err(format!("function {other}() is not evaluated statically")),
    }
}

/// `format` with the verbs cache configurations use: `%s`, `%d`, `%v`, `%%`.
fn format(spec: &str, args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'd' | 'v') => {
                let v = next.next().ok_or("format(): too few arguments")?;
                out.push_str(&to_template_string(v).ok_or("format(): argument is not a primitive")?);
            }
            _ => return Err("format(): verb not evaluated statically".into()),
        }
    }
    Ok(Value::String(out))
}
