//! Accounts: roles, usernames and password length rules.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Investigator,
    Participant,
    Guardian,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Investigator,
        Role::Participant,
        Role::Guardian,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Investigator => "investigator",
            Role::Participant => "participant",
            Role::Guardian => "guardian",
        }
    }

    /// Where the person lands after signing in: families in their diary,
    /// investigators at their participants, admins at the study settings.
    pub fn home(self) -> &'static str {
        match self {
            Role::Admin => "/study/settings",
            Role::Investigator => "/participants",
            Role::Participant | Role::Guardian => "/diary",
        }
    }

    /// Staff run the study; the others keep a diary.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Investigator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, investigator, participant or guardian")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 64;
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Long passphrases are welcome; the cap only bounds the hashing work.
pub const PASSWORD_MAX_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("a username needs {USERNAME_MIN_CHARS} to {USERNAME_MAX_CHARS} characters")]
    Length,
    #[error("a username may hold letters, digits, '.', '-' and '_' only")]
    Characters,
}

/// The stored form of a username: trimmed and lower case, so `Mei.Li` and
/// `mei.li` are one account. Letters of any script are allowed.
pub fn normalize_username(raw: &str) -> Result<String, UsernameError> {
    // Counted before lower-casing, which may lengthen a name ('İ' becomes two
    // characters): the published length counts what the person typed.
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if !(USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&chars) {
        return Err(UsernameError::Length);
    }
    let name = trimmed.to_lowercase();
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(UsernameError::Characters);
    }
    Ok(name)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("a password may have at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
}

/// Length is the only rule here (no composition rules, per NIST SP 800-63B).
pub fn check_password_length(password: &str) -> Result<(), PasswordError> {
    match password.chars().count() {
        n if n < PASSWORD_MIN_CHARS => Err(PasswordError::TooShort),
        n if n > PASSWORD_MAX_CHARS => Err(PasswordError::TooLong),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_lands_on_its_own_page() {
        let cases = [
            (Role::Admin, "/study/settings"),
            (Role::Investigator, "/participants"),
            (Role::Participant, "/diary"),
            (Role::Guardian, "/diary"),
        ];
        for (role, home) in cases {
            assert_eq!(role.home(), home, "{role}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("nurse".parse::<Role>().is_err());
        assert!(Role::Investigator.is_staff() && !Role::Guardian.is_staff());
    }

    #[test]
    fn usernames() {
        let x64 = "x".repeat(64);
        let cases = [
            ("  Mei.Li ", Ok("mei.li")),
            ("王小明", Ok("王小明")),
            ("ab", Err(UsernameError::Length)),
            (&"x".repeat(65), Err(UsernameError::Length)),
            (&x64, Ok(x64.as_str())),
            // Lower-casing makes 'İ' two characters; the length counts what was typed.
            (&"İ".repeat(64), Err(UsernameError::Characters)),
            // 65 combining marks are 65 characters, however short they look.
            (
                &format!("o{}", "\u{0301}".repeat(64)),
                Err(UsernameError::Length),
            ),
            ("mei li", Err(UsernameError::Characters)),
            ("mei@site", Err(UsernameError::Characters)),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                normalize_username(raw).as_deref().map_err(Clone::clone),
                expected.clone().map_err(|e: UsernameError| e),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn password_lengths() {
        assert_eq!(
            check_password_length("1234567"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_password_length("12345678"), Ok(()));
        // Characters, not bytes: eight CJK characters are enough.
        assert_eq!(check_password_length("糖尿病日记密码安全"), Ok(()));
        assert_eq!(
            check_password_length(&"a".repeat(257)),
            Err(PasswordError::TooLong)
        );
    }
}

/// The signed-in user as the API returns it (`user` in the contract).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    pub id: uuid::Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub site_ids: Vec<uuid::Uuid>,
    /// Those the user logs for: their own, or their children's.
    pub participant_ids: Vec<uuid::Uuid>,
    /// The language the person chose (`PUT /api/v1/me/language`), on every
    /// device they sign in on; null until they choose one.
    #[serde(default)]
    pub language: Option<crate::domain::language::Language>,
}
