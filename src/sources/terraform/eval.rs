//! Static evaluation of Terraform expressions: what can be known without a plan. Literals,
//! variables (defaults, `terraform.tfvars`, `*.auto.tfvars`), locals, templates, conditionals,
//! operators and a handful of pure functions. Anything else (another resource's attribute, a
//! data source, an unknown function) is unresolved with the reason, never guessed.

use super::files::{Content, FileKind, TfFile};
use super::merge::{AttrRef, DirModel};
use super::refs::reference_text;
use crate::inventory::{InfraResource, Origin};
use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;

mod for_expr;

/// A value, or why it is not known.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub value: Result<Value, String>,
    /// Where the value is written, when it came through a variable or a local.
    pub origin: Option<Origin>,
}

impl Evaluated {
    fn known(v: Value) -> Self {
        Evaluated { value: Ok(v), origin: None }
    }
    fn unknown(reason: impl Into<String>) -> Self {
        Evaluated { value: Err(reason.into()), origin: None }
    }
    fn with_origin(mut self, o: Option<Origin>) -> Self {
        if self.origin.is_none() {
            self.origin = o;
        }
        self
    }
}

/// One candidate value of a variable, with where it is set.
#[derive(Clone)]
struct Candidate {
    value: Evaluated,
    origin: Origin,
}

pub struct Scope<'a> {
    files: &'a [TfFile<'a>],
    model: &'a DirModel<'a>,
    /// The value a plain `terraform plan` would use (default, then auto-loaded files).
    var_auto: HashMap<String, Candidate>,
    /// Values in `.tfvars` files only used with `-var-file`.
    var_alternatives: HashMap<String, Vec<Candidate>>,
    locals_memo: RefCell<HashMap<String, Evaluated>>,
    depth: RefCell<u32>,
    /// The variables' values come from module calls, not from variable files.
    from_callers: bool,
    /// The iteration variables of the `for` expressions being evaluated, innermost last.
    bindings: RefCell<Vec<HashMap<String, Value>>>,
}

const MAX_DEPTH: u32 = 64;

impl<'a> Scope<'a> {
    /// `callers`: the module blocks that call this directory as a local module. Their
    /// arguments are the variables' values, and `.tfvars` files do not apply (Terraform reads
    /// them for the root module only).
    pub fn new(files: &'a [TfFile<'a>], model: &'a DirModel<'a>, callers: &[InfraResource]) -> Self {
        let mut scope = Scope {
            files,
            model,
            var_auto: HashMap::new(),
            var_alternatives: HashMap::new(),
            locals_memo: RefCell::new(HashMap::new()),
            depth: RefCell::new(0),
            from_callers: !callers.is_empty(),
            bindings: RefCell::new(Vec::new()),
        };
        for (name, var) in &model.variables {
            if let Some(d) = var.default {
                let value = scope.eval_attr_plain(d);
                scope.var_auto.insert(name.clone(), Candidate { value, origin: scope.origin_of(d, "var", name) });
            }
        }
        if !callers.is_empty() {
            for name in model.variables.keys() {
                let default = scope.var_auto.remove(name);
                let candidates: Vec<Candidate> =
                    callers.iter().filter_map(|c| caller_candidate(c, name, default.as_ref())).collect();
                scope.var_alternatives.insert(name.clone(), candidates);
            }
            return scope;
        }
        // Precedence: terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json)
        // in lexical order; each later file wins.
        let mut auto: Vec<usize> = (0..files.len()).filter(|&i| files[i].kind == FileKind::AutoVars).collect();
        auto.sort_by_key(|&i| {
            let n = files[i].file_name().to_ascii_lowercase();
            (
                if n == "terraform.tfvars" {
                    0
                } else if n == "terraform.tfvars.json" {
                    1
                } else {
                    2
                },
                n,
            )
        });
        for i in auto {
            for (name, cand) in scope.vars_in(i) {
                scope.var_auto.insert(name, cand);
            }
        }
        for i in (0..files.len()).filter(|&i| files[i].kind == FileKind::OtherVars) {
            for (name, cand) in scope.vars_in(i) {
                scope.var_alternatives.entry(name).or_default().push(cand);
            }
        }
        scope
    }

    fn vars_in(&self, file: usize) -> Vec<(String, Candidate)> {
        let f = &self.files[file];
        match &f.content {
            Content::Hcl(body) => body
                .attributes()
                .map(|attr| {
                    let r = AttrRef { file, attr };
                    let name = attr.key.as_str().to_string();
                    let origin = self.origin_of(r, "var", &name);
                    // A .tfvars file may not refer to anything, so no scope is needed.
                    (name, Candidate { value: self.eval_attr_plain(r), origin })
                })
                .collect(),
            Content::JsonVars(entries) => entries
                .iter()
                .map(|(name, v, line)| {
                    let origin = Origin { via: format!("var.{name}"), file: f.src.rel.clone(), line: *line };
                    (name.clone(), Candidate { value: Evaluated::known(v.clone()), origin })
                })
                .collect(),
        }
    }

    fn origin_of(&self, r: AttrRef, kind: &str, name: &str) -> Origin {
        let src = self.files[r.file].src;
        let line = r.attr.value.span().map_or(1, |s| src.location(s).line);
        Origin { via: format!("{kind}.{name}"), file: src.rel.clone(), line }
    }

    fn eval_attr_plain(&self, r: AttrRef) -> Evaluated {
        self.eval(&r.attr.value)
    }

    /// The value of an attribute as Terraform would see it.
    pub fn eval_attr(&self, r: AttrRef) -> Evaluated {
        self.eval(&r.attr.value)
    }

    pub fn eval(&self, expr: &Expression) -> Evaluated {
        {
            let mut d = self.depth.borrow_mut();
            if *d > MAX_DEPTH {
                return Evaluated::unknown("the expression nests too deeply (a cycle between locals?)");
            }
            *d += 1;
        }
        let r = self.eval_inner(expr);
        *self.depth.borrow_mut() -= 1;
        r
    }

    fn eval_inner(&self, expr: &Expression) -> Evaluated {
        match expr {
            Expression::Null(_) => Evaluated::known(Value::Null),
            Expression::Bool(b) => Evaluated::known(Value::Bool(*b.value())),
            Expression::Number(n) => Evaluated::known(number(n.value())),
            Expression::String(s) => Evaluated::known(Value::String(s.value().clone())),
            Expression::Array(a) => {
                let mut items = Vec::new();
                let mut origin = None;
                for e in a.iter() {
                    let v = self.eval(e);
                    origin = origin.or(v.origin);
                    match v.value {
                        Ok(v) => items.push(v),
                        Err(e) => return Evaluated::unknown(e),
                    }
                }
                Evaluated { value: Ok(Value::Array(items)), origin }
            }
            Expression::Object(o) => {
                let mut map = Map::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => match self.eval(e).value {
                            Ok(Value::String(s)) => s,
                            Ok(other) => to_template_string(&other).unwrap_or_default(),
                            Err(e) => return Evaluated::unknown(e),
                        },
                    };
                    match self.eval(v.expr()).value {
                        Ok(v) => {
                            map.insert(key, v);
                        }
                        Err(e) => return Evaluated::unknown(e),
                    }
                }
                Evaluated::known(Value::Object(map))
            }
            Expression::StringTemplate(t) => self.eval_elements(t.iter()),
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                h.dedent();
                self.eval_template(&h.template)
            }
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(v) => match self.bound(v.as_str()) {
                Some(value) => Evaluated::known(value),
                None => Evaluated::unknown(format!("`{}` is only known during a plan", v.as_str())),
            },
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr);
                match cond.value {
                    Ok(Value::Bool(true)) => self.eval(&c.true_expr).with_origin(cond.origin),
                    Ok(Value::Bool(false)) => self.eval(&c.false_expr).with_origin(cond.origin),
                    Ok(other) => Evaluated::unknown(format!("the condition is {other}, not a bool")),
                    Err(reason) => {
                        let (t, f) = (self.eval(&c.true_expr), self.eval(&c.false_expr));
                        match (&t.value, &f.value) {
                            (Ok(a), Ok(b)) if a == b => t,
                            _ => Evaluated::unknown(format!("depends on a condition that is not known: {reason}")),
                        }
                    }
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if call.name.is_namespaced() {
                    return Evaluated::unknown(format!("provider function {name} is not evaluated statically"));
                }
                let args: Vec<&Expression> = call.args.iter().collect();
                self.call(name, &args)
            }
            Expression::Traversal(t) => self.eval_traversal(&t.expr, &t.operators),
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr);
                let origin = v.origin.clone();
                let value = match (op.operator.value(), v.value) {
                    (UnaryOperator::Not, Ok(Value::Bool(b))) => Ok(Value::Bool(!b)),
                    (UnaryOperator::Neg, Ok(Value::Number(n))) => {
                        Ok(n.as_f64().map_or(Value::Null, |f| number_f64(-f)))
                    }
                    (_, Err(e)) => Err(e),
                    (op, Ok(v)) => Err(format!("cannot apply {op:?} to {v}")),
                };
                Evaluated { value, origin }
            }
            Expression::BinaryOp(op) => self.binary(*op.operator.value(), &op.lhs_expr, &op.rhs_expr),
            Expression::ForExpr(f) => self.eval_for(f),
        }
    }

    fn eval_template(&self, t: &Template) -> Evaluated {
        self.eval_elements(t.iter())
    }

    fn eval_elements<'e>(&self, elements: impl Iterator<Item = &'e Element>) -> Evaluated {
        let mut out = String::new();
        let mut origin = None;
        for el in elements {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr);
                    origin = origin.or(v.origin);
                    match v.value {
                        Ok(v) => match to_template_string(&v) {
                            Some(s) => out.push_str(&s),
                            None => return Evaluated::unknown(format!("cannot interpolate {v} into a string")),
                        },
                        Err(e) => return Evaluated::unknown(e),
                    }
                }
                Element::Directive(_) => {
                    return Evaluated::unknown("template directives (%{if}/%{for}) are not evaluated statically");
                }
            }
        }
        Evaluated { value: Ok(Value::String(out)), origin }
    }

    fn eval_traversal(&self, root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> Evaluated {
        let (base, rest) = match (root, ops.first().map(|o| o.value())) {
            (Expression::Variable(v), Some(TraversalOperator::GetAttr(name))) if v.as_str() == "var" => {
                (self.variable(name.as_str()), &ops[1..])
            }
            (Expression::Variable(v), Some(TraversalOperator::GetAttr(name))) if v.as_str() == "local" => {
                (self.local(name.as_str()), &ops[1..])
            }
            (Expression::Variable(v), _) if self.bound(v.as_str()).is_some() => (self.eval(root), ops),
            (Expression::Variable(_), _) => {
                return Evaluated::unknown(format!(
                    "refers to `{}`, known only during a plan",
                    reference_text(root, ops)
                ));
            }
            _ => (self.eval(root), ops),
        };
        let mut value = match base.value {
            Ok(v) => v,
            Err(e) => return Evaluated { value: Err(e), origin: base.origin },
        };
        for op in rest {
            let next = match op.value() {
                TraversalOperator::GetAttr(name) => value.get(name.as_str()).cloned(),
                TraversalOperator::Index(e) => match self.eval(e).value {
                    Ok(Value::String(k)) => value.get(&k).cloned(),
                    Ok(Value::Number(n)) => n.as_u64().and_then(|i| value.get(i as usize)).cloned(),
                    Ok(other) => return Evaluated::unknown(format!("cannot index with {other}")),
                    Err(e) => return Evaluated::unknown(e),
                },
                TraversalOperator::LegacyIndex(i) => value.get(*i.value() as usize).cloned(),
                _ => return Evaluated::unknown("splat expressions are not evaluated statically"),
            };
            match next {
                Some(v) => value = v,
                None => return Evaluated::unknown(format!("`{}` has no such element", reference_text(root, ops))),
            }
        }
        Evaluated { value: Ok(value), origin: base.origin }
    }

    fn variable(&self, name: &str) -> Evaluated {
        let auto = self.var_auto.get(name);
        let alternatives = self.var_alternatives.get(name).map(Vec::as_slice).unwrap_or_default();
        let mut candidates: Vec<&Candidate> = auto.into_iter().collect();
        candidates.extend(alternatives);
        let Some(first) = candidates.first() else {
            return if self.model.variables.contains_key(name) {
                Evaluated::unknown(format!(
                    "var.{name} has no default and no value in terraform.tfvars or *.auto.tfvars \
                     (it comes from -var, TF_VAR_{name} or the module's caller)"
                ))
            } else {
                Evaluated::unknown(format!("var.{name} is not declared in this directory"))
            };
        };
        if candidates.iter().all(|c| c.value.value == first.value.value) {
            return Evaluated { value: first.value.value.clone(), origin: Some(first.origin.clone()) }
                .with_origin(first.value.origin.clone());
        }
        let listed: Vec<String> = candidates
            .iter()
            .map(|c| {
                let v = c.value.value.as_ref().map_or_else(|e| format!("<{e}>"), |v| v.to_string());
                format!("{v} ({}:{})", c.origin.file, c.origin.line)
            })
            .collect();
        if self.from_callers {
            return Evaluated::unknown(format!(
                "var.{name} differs between the module's callers: {}",
                listed.join(", ")
            ));
        }
        Evaluated::unknown(format!("var.{name} depends on the -var-file used: {}", listed.join(", ")))
    }

    fn local(&self, name: &str) -> Evaluated {
        if let Some(v) = self.locals_memo.borrow().get(name) {
            return v.clone();
        }
        let Some(r) = self.model.locals.get(name) else {
            return Evaluated::unknown(format!("local.{name} is not declared in this directory"));
        };
        // Guard against `a = local.b`, `b = local.a`.
        self.locals_memo
            .borrow_mut()
            .insert(name.to_string(), Evaluated::unknown(format!("local.{name} refers to itself")));
        // A local sees no `for` expression's iteration variables, whoever reads it.
        let outer = std::mem::take(&mut *self.bindings.borrow_mut());
        let v = self.eval(&r.attr.value).with_origin(Some(self.origin_of(*r, "local", name)));
        *self.bindings.borrow_mut() = outer;
        self.locals_memo.borrow_mut().insert(name.to_string(), v.clone());
        v
    }

    fn binary(&self, op: BinaryOperator, lhs: &Expression, rhs: &Expression) -> Evaluated {
        let (l, r) = (self.eval(lhs), self.eval(rhs));
        let origin = l.origin.clone().or(r.origin.clone());
        // `false && unknown` and `true || unknown` are still known.
        let value = match (op, &l.value, &r.value) {
            (BinaryOperator::And, Ok(Value::Bool(false)), _) | (BinaryOperator::And, _, Ok(Value::Bool(false))) => {
                Ok(Value::Bool(false))
            }
            (BinaryOperator::Or, Ok(Value::Bool(true)), _) | (BinaryOperator::Or, _, Ok(Value::Bool(true))) => {
                Ok(Value::Bool(true))
            }
            (_, Err(e), _) | (_, _, Err(e)) => Err(e.clone()),
            (op, Ok(a), Ok(b)) => apply(op, a, b),
        };
        Evaluated { value, origin }
    }

    fn call(&self, name: &str, args: &[&Expression]) -> Evaluated {
        // `try` and `coalesce` look at their arguments in order and may not need all of them.
        if name == "try" {
            return match args.first() {
                Some(a) => match self.eval(a) {
                    v @ Evaluated { value: Ok(_), .. } => v,
                    Evaluated { value: Err(e), .. } => {
                        Evaluated::unknown(format!("try(): the first argument is not known ({e})"))
                    }
                },
                None => Evaluated::unknown("try() without arguments"),
            };
        }
        let mut vals = Vec::with_capacity(args.len());
        let mut origin = None;
        for a in args {
            let v = self.eval(a);
            origin = origin.or(v.origin.clone());
            vals.push(v.value);
        }
        if name == "coalesce" {
            for v in &vals {
                match v {
                    Ok(Value::Null) => continue,
                    Ok(Value::String(s)) if s.is_empty() => continue,
                    Ok(v) => return Evaluated { value: Ok(v.clone()), origin },
                    Err(e) => return Evaluated::unknown(e.clone()),
                }
            }
            return Evaluated::unknown("coalesce(): every argument is null or empty");
        }
        let vals: Vec<Value> = match vals.into_iter().collect::<Result<_, _>>() {
            Ok(v) => v,
            Err(e) => return Evaluated::unknown(e),
        };
        let value = super::functions::call(name, &vals);
        Evaluated { value, origin }
    }
}

/// What one caller gives a variable: its argument, or the default when it passes none.
fn caller_candidate(call: &InfraResource, name: &str, default: Option<&Candidate>) -> Option<Candidate> {
    let origin = |line: u32| Origin { via: format!("var.{name}"), file: call.location.file.clone(), line };
    if let Some(v) = call.attributes.get(name) {
        let line = call.attribute_lines.get(name).copied().unwrap_or(call.location.line);
        return Some(Candidate { value: Evaluated::known(v.clone()), origin: origin(line) });
    }
    if let Some(u) = call.unresolved.get(name) {
        let line = call.attribute_lines.get(name).copied().unwrap_or(call.location.line);
        let reason = format!("{} passes {} = {} ({})", call.address, name, u.expr, u.reason);
        return Some(Candidate { value: Evaluated::unknown(reason), origin: origin(line) });
    }
    default.cloned()
}

fn apply(op: BinaryOperator, a: &Value, b: &Value) -> Result<Value, String> {
    use BinaryOperator::*;
    match op {
        Eq => Ok(Value::Bool(loosely_equal(a, b))),
        NotEq => Ok(Value::Bool(!loosely_equal(a, b))),
        And | Or => match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => Ok(Value::Bool(if op == And { *x && *y } else { *x || *y })),
            _ => Err(format!("{a} {} {b} needs two bools", op.as_str())),
        },
        _ => {
            let (Some(x), Some(y)) = (as_f64(a), as_f64(b)) else {
                return Err(format!("{a} {} {b} needs two numbers", op.as_str()));
            };
            Ok(match op {
                Less => Value::Bool(x < y),
                LessEq => Value::Bool(x <= y),
                Greater => Value::Bool(x > y),
                GreaterEq => Value::Bool(x >= y),
                Plus => number_f64(x + y),
                Minus => number_f64(x - y),
                Mul => number_f64(x * y),
                Div if y != 0.0 => number_f64(x / y),
                Mod if y != 0.0 => number_f64(x % y),
                _ => return Err("division by zero".into()),
            })
        }
    }
}

/// Terraform compares `"5" == 5` as false but numbers by value (`1 == 1.0`).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

pub fn number(n: &hcl_edit::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        number_f64(n.as_f64().unwrap_or(0.0))
    }
}

pub fn number_f64(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// How Terraform turns a primitive into a string inside `"${…}"`.
pub fn to_template_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
