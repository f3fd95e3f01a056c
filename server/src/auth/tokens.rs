//! Access tokens (JWT, HS256, 15 minutes) and refresh tokens (opaque, 256
//! bits, stored only as their SHA-256).

use app::domain::account::Role;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const ISSUER: &str = "ediary";
pub const AUDIENCE: &str = "ediary-api";
pub const ACCESS_TYPE: &str = "access";
pub const ACCESS_LIFETIME: Duration = Duration::minutes(15);
/// Phones stay offline for days: a refresh token unused this long expires.
pub const REFRESH_IDLE_LIFETIME: Duration = Duration::days(30);
/// A refresh retried this soon (its answer lost on a bad network) gets the
/// same successor instead of revoking the session.
pub const REFRESH_RETRY_GRACE: Duration = Duration::seconds(30);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    /// The session (signed-in device) the token belongs to.
    pub sid: Uuid,
    pub role: Role,
    pub typ: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("the token could not be signed: {0}")]
    Signing(String),
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    secret: SecretString,
}

impl TokenKeys {
    pub fn new(secret: &SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        // The algorithm is pinned: a token naming any other (none, HS512,
        // RS256 with our secret as a "public key") is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            secret: secret.clone(),
        }
    }

    pub fn issue_access(
        &self,
        user: Uuid,
        session: Uuid,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user,
            sid: session,
            role,
            typ: ACCESS_TYPE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + ACCESS_LIFETIME).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Signing(e.to_string()))
    }

    pub fn verify_access(&self, token: &str) -> Result<Claims, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        if data.claims.typ != ACCESS_TYPE {
            return Err(TokenError::Invalid(format!("typ {:?}", data.claims.typ)));
        }
        Ok(data.claims)
    }

    /// The successor of a refresh token, derived from it with the server
    /// secret, so a retried refresh can be answered with the same successor
    /// without ever storing a token.
    pub fn successor(&self, refresh_token: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.secret.expose_secret().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"ediary refresh successor\n");
        mac.update(refresh_token.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// A new refresh token: 256 random bits, hex.
pub fn new_refresh_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What is stored of a refresh token.
pub fn refresh_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&SecretString::from("k".repeat(32)))
    }

    #[test]
    fn access_tokens_round_trip() {
        let keys = keys();
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys
            .issue_access(user, session, Role::Guardian, Utc::now())
            .unwrap();
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.sid, claims.role),
            (user, session, Role::Guardian)
        );
        assert_eq!(claims.exp - claims.iat, 15 * 60);
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let keys = keys();
        let old = keys
            .issue_access(
                Uuid::now_v7(),
                Uuid::now_v7(),
                Role::Admin,
                Utc::now() - Duration::hours(1),
            )
            .unwrap();
        assert!(keys.verify_access(&old).is_err());
        let other = TokenKeys::new(&SecretString::from("o".repeat(32)));
        let foreign = other
            .issue_access(Uuid::now_v7(), Uuid::now_v7(), Role::Admin, Utc::now())
            .unwrap();
        assert!(keys.verify_access(&foreign).is_err());
    }

    #[test]
    fn refresh_successors_are_stable_and_secret_bound() {
        let keys = keys();
        let token = new_refresh_token();
        assert_eq!(token.len(), 64);
        assert_eq!(keys.successor(&token), keys.successor(&token));
        assert_ne!(keys.successor(&token), token);
        let other = TokenKeys::new(&SecretString::from("o".repeat(32)));
        assert_ne!(other.successor(&token), keys.successor(&token));
        assert_ne!(refresh_hash(&token), token);
    }
}
