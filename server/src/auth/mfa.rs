//! The staff second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way) and one-time recovery codes.

use totp_rs::{Algorithm, TOTP};

pub const ISSUER: &str = "T1D eDiary";
const STEP_SECS: u64 = 30;
pub const RECOVERY_CODES: usize = 10;

/// A new secret: 160 random bits, as RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; 20]>().to_vec()
}

pub fn totp(secret: &[u8], account: &str) -> Option<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS,
        secret.to_vec(),
        Some(ISSUER.into()),
        account.into(),
    )
    .ok()
}

/// The 30-second step `code` belongs to, within one step of `now`.
pub fn matching_step(totp: &TOTP, code: &str, now_secs: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now_secs / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.check(code, step * STEP_SECS) && totp.generate(step * STEP_SECS) == code)
        .and_then(|step| i64::try_from(step).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_with_one_step_of_drift() {
        // RFC 6238 appendix B test secret.
        let totp = totp(b"12345678901234567890", "dr.wang").unwrap();
        let now = 1_111_111_109;
        let code = totp.generate(now);
        assert_eq!(code, "081804");
        let step = i64::try_from(now / 30).unwrap();
        assert_eq!(matching_step(&totp, &code, now), Some(step));
        assert_eq!(
            matching_step(&totp, &code, now + 30),
            Some(step),
            "a step late is accepted"
        );
        assert_eq!(
            matching_step(&totp, &code, now + 90),
            None,
            "three steps late is not"
        );
        for junk in ["", "12345", "1234567", "abcdef", "000000"] {
            assert_eq!(matching_step(&totp, junk, now), None, "{junk}");
        }
        assert!(
            totp.get_url()
                .starts_with("otpauth://totp/T1D%20eDiary:dr.wang?"),
            "{}",
            totp.get_url()
        );
    }
}
