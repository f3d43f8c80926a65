//! `for` expressions: `[for p in local.params : p if p.name != "x"]` and
//! `{ for k, v in var.m : k => v... }`, evaluated as Terraform does when the collection is
//! known: a list or set iterates index and element, an object or map key and value (keys in
//! lexical order); the condition must be a bool; an object result refuses duplicate keys
//! unless grouped with `...`.

use super::{Evaluated, Scope};
use hcl_edit::expr::ForExpr;
use serde_json::{Map, Value};
use std::collections::HashMap;

impl Scope<'_> {
    pub(super) fn bound(&self, name: &str) -> Option<Value> {
        self.bindings.borrow().iter().rev().find_map(|b| b.get(name).cloned())
    }

    pub(super) fn eval_for(&self, f: &ForExpr) -> Evaluated {
        let collection = self.eval(&f.intro.collection_expr);
        let origin = collection.origin.clone();
        let items: Vec<(Value, Value)> = match collection.value {
            Ok(Value::Array(items)) => items.into_iter().enumerate().map(|(i, v)| (Value::from(i), v)).collect(),
            Ok(Value::Object(map)) => {
                let mut entries: Vec<(String, Value)> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
            }
            Ok(other) => return Evaluated::unknown(format!("a `for` expression cannot iterate over {other}")),
            Err(e) => return Evaluated::unknown(e),
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut object = Map::new();
        for (key, value) in items {
            let mut frame = HashMap::new();
            if let Some(k) = &key_var {
                frame.insert(k.clone(), key);
            }
            frame.insert(value_var.clone(), value);
            self.bindings.borrow_mut().push(frame);
            let step = self.for_step(f, &mut list, &mut object);
            self.bindings.borrow_mut().pop();
            if let Err(e) = step {
                return Evaluated::unknown(e);
            }
        }
        let value = if f.key_expr.is_some() { Value::Object(object) } else { Value::Array(list) };
        Evaluated { value: Ok(value), origin }
    }

    /// One element, with its iteration variables bound.
    fn for_step(&self, f: &ForExpr, list: &mut Vec<Value>, object: &mut Map<String, Value>) -> Result<(), String> {
        if let Some(cond) = &f.cond {
            match self.eval(&cond.expr).value? {
                Value::Bool(true) => {}
                Value::Bool(false) => return Ok(()),
                other => return Err(format!("the `for` condition is {other}, not a bool")),
            }
        }
        let value = self.eval(&f.value_expr).value?;
        let Some(key_expr) = &f.key_expr else {
            list.push(value);
            return Ok(());
        };
        let key = match self.eval(key_expr).value? {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => return Err(format!("a `for` expression's key is {other}, not a string")),
        };
        if f.grouping {
            if let Value::Array(group) = object.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                group.push(value);
            }
        } else if object.insert(key.clone(), value).is_some() {
            return Err(format!("the `for` expression produces the key \"{key}\" twice (Terraform refuses it)"));
        }
        Ok(())
    }
}
