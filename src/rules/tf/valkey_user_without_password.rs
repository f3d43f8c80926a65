use crate::findings::{Finding, Severity};
use crate::inventory::InfraResource;
use crate::rules::tf::view;
use crate::rules::{Rule, RuleContext};

/// ElastiCache RBAC: a Valkey user must authenticate with a password or IAM (no
/// `no_password_required`), and a VALKEY user group may hold only Valkey users and Redis users
/// that have a password or IAM.
pub struct ValkeyUserWithoutPassword;

const SOURCE: &str = "AWS ElastiCache User Guide, Role-Based Access Control (RBAC with Valkey)";

fn passwordless(r: &InfraResource) -> bool {
    r.attr_bool("no_password_required") == Some(true)
        || r.blocks_of("authentication_mode")
            .any(|b| b.attributes.get("type").and_then(|t| t.as_str()) == Some("no-password-required"))
}

fn engine(r: &InfraResource) -> Option<String> {
    r.attr_str("engine").map(str::to_ascii_lowercase)
}

impl Rule for ValkeyUserWithoutPassword {
    fn code(&self) -> &'static str {
        "TF008"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let users: Vec<&InfraResource> =
            cx.inventory.infra.iter().filter(|r| r.resource_type == "aws_elasticache_user").collect();
        for u in users.iter().filter(|u| passwordless(u)) {
            let location = if u.has("no_password_required") {
                u.attr_location("no_password_required")
            } else {
                u.blocks_of("authentication_mode").next().and_then(|b| b.location.clone()).unwrap_or(u.location.clone())
            };
            match engine(u).as_deref() {
                Some("valkey") => out.push(
                    Finding::new(
                        self.code(),
                        location,
                        format!("{} is a Valkey user without a password: AWS refuses passwordless Valkey users", u.address),
                    )
                    .help(format!(
                        "give it passwords (authentication_mode {{ type = \"password\" }}) or IAM authentication, or keep \
                         it as engine = \"redis\"; source: {SOURCE}"
                    ))
                    .fingerprint(format!("{}/{}", u.dir, u.address)),
                ),
                Some("redis") => out.push(
                    Finding::new(
                        self.code(),
                        location,
                        format!("{} has no password: it can stay a Redis user but can never become a Valkey user", u.address),
                    )
                    .help(format!(
                        "leave its engine as redis when the caches move, and keep it out of VALKEY user groups; a REDIS \
                         user group can stay attached to a Valkey cache (inferred from AWS's rollback rule); source: {SOURCE}"
                    ))
                    .severity_hint(Severity::Info)
                    .fingerprint(format!("{}/{}", u.dir, u.address)),
                ),
                _ => {}
            }
        }
        for g in cx.inventory.infra.iter().filter(|r| r.resource_type == "aws_elasticache_user_group") {
            if engine(g).as_deref() != Some("valkey") {
                continue;
            }
            for member in view::referenced(g, "user_ids", "aws_elasticache_user") {
                let Some(u) = view::find(cx.inventory, &g.dir, &member) else { continue };
                if engine(u).as_deref() == Some("redis") && passwordless(u) {
                    out.push(
                        Finding::new(
                            self.code(),
                            g.attr_location("user_ids"),
                            format!(
                                "VALKEY user group {} holds {}, a Redis user without a password: AWS refuses it",
                                g.address, u.address
                            ),
                        )
                        .help(format!(
                            "a VALKEY user group may hold Valkey users and Redis users with a password or IAM; give the \
                             user a password or keep the group as engine = \"redis\"; source: {SOURCE}"
                        ))
                        .fingerprint(format!("{}/{}/{}", g.dir, g.address, u.address)),
                    );
                }
            }
        }
    }
}
