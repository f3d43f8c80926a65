//! Phase 6: the proof. Every plan ends with the exact command that validates it.

use super::model::{Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext, shell_quote};
use crate::knowledge::Phase;

pub struct Validation;

impl Contributor for Validation {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let server = cx.target.display_name();
        let command = cx.validate_command();
        let detail = format!(
            "Run the plan's checks — rewritten configs accepted, each client's connection handshake, the \
             commands the code sends, and the session, rate-limit, pub/sub and leaderboard workloads — \
             against a server that answers as {server} does. It is bundled in `valkey-migrate`, so this \
             needs nothing installed. For the strongest proof, point it at a real `valkey-server` binary; \
             before cut-over, at the staging server (read-only unless `--allow-writes`).\n"
        );
        let mut step = Step::new(StepKind::Check, format!("Validate the plan against {server}"), detail);
        step.commands = vec![
            command.clone(),
            format!("{command} --server-bin /path/to/valkey-server"),
            format!("{command} --server redis://staging-cache:6379"),
        ];
        plan.add(Phase::Validation, step);

        let mut serve = Step::new(
            StepKind::Check,
            "Run the application's own tests against the target",
            format!("Start a local server that answers as {server} and point the test suite's Redis URL at it.\n"),
        );
        serve.commands =
            vec![format!("valkey-migrate serve --profile {} --port 6390", shell_quote(&cx.settings.target))];
        plan.add(Phase::Validation, serve);
    }
}
