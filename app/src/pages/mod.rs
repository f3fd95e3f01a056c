//! One module per screen.

pub mod diary;
pub mod enroll;
pub mod inbox;
pub mod language_switch;
pub mod mfa_setup;
pub mod new_participant;
pub mod not_found;
pub mod participant;
pub mod roster;
pub mod sessions;
pub mod sign_in;
pub mod staff_nav;
pub mod study_outcomes;
pub mod study_settings;
pub mod words;

use crate::domain::account::Role;

/// Opens the page a person lands on. A full load: `/diary` runs the phone
/// bundle and the staff pages theirs.
pub fn go_home(role: Role) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().assign(role.home());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = role;
}
