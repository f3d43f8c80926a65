//! SEC: security settings of server configs that the move makes visible or changes.

mod debug_command_enabled;
mod exposed_without_auth;
mod rename_command_acl;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &exposed_without_auth::ExposedWithoutAuth,
    &rename_command_acl::RenameCommandAsAccessControl,
    &debug_command_enabled::DebugCommandEnabled,
];
