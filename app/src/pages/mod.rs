//! One module per screen.

pub mod diary;
pub mod enroll;
pub mod inbox;
pub mod mfa_setup;
pub mod new_participant;
pub mod not_found;
pub mod participant;
pub mod roster;
pub mod sessions;
pub mod sign_in;
pub mod study_outcomes;
pub mod study_settings;
