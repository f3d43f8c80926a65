//! The references an expression makes (`var.engine`, `aws_elasticache_parameter_group.p.name`),
//! so rules can follow a cache to its parameter group or user group without evaluating anything.

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::template::Element;

/// `aws_elasticache_parameter_group.redis.name` for a traversal whose root is a name.
pub fn reference_text(root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> String {
    let mut s = match root {
        Expression::Variable(v) => v.as_str().to_string(),
        _ => return String::from("(expression)"),
    };
    for op in ops {
        match op.value() {
            TraversalOperator::GetAttr(n) => {
                s.push('.');
                s.push_str(n.as_str());
            }
            TraversalOperator::LegacyIndex(i) => s.push_str(&format!("[{}]", i.value())),
            TraversalOperator::Index(_) => s.push_str("[…]"),
            _ => s.push_str(".*"),
        }
    }
    s
}

/// Every reference an expression makes, outermost first (`var.x`, `aws_x.y.name`).
pub fn references(expr: &Expression) -> Vec<String> {
    let mut out = Vec::new();
    collect_refs(expr, &mut out);
    out
}

fn collect_refs(expr: &Expression, out: &mut Vec<String>) {
    match expr {
        Expression::Traversal(t) => {
            if let Expression::Variable(_) = &t.expr {
                out.push(reference_text(&t.expr, &t.operators));
            } else {
                collect_refs(&t.expr, out);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(e) = op.value() {
                    collect_refs(e, out);
                }
            }
        }
        Expression::Variable(v) => out.push(v.as_str().to_string()),
        Expression::Array(a) => a.iter().for_each(|e| collect_refs(e, out)),
        Expression::Object(o) => o.iter().for_each(|(_, v)| collect_refs(v.expr(), out)),
        Expression::StringTemplate(t) => {
            for el in t.iter() {
                if let Element::Interpolation(i) = el {
                    collect_refs(&i.expr, out);
                }
            }
        }
        Expression::HeredocTemplate(h) => {
            for el in h.template.iter() {
                if let Element::Interpolation(i) = el {
                    collect_refs(&i.expr, out);
                }
            }
        }
        Expression::Parenthesis(p) => collect_refs(p.inner(), out),
        Expression::Conditional(c) => {
            collect_refs(&c.cond_expr, out);
            collect_refs(&c.true_expr, out);
            collect_refs(&c.false_expr, out);
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|e| collect_refs(e, out)),
        Expression::UnaryOp(u) => collect_refs(&u.expr, out),
        Expression::BinaryOp(b) => {
            collect_refs(&b.lhs_expr, out);
            collect_refs(&b.rhs_expr, out);
        }
        _ => {}
    }
}
