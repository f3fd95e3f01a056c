//! Enrolment codes: one-time, at least 40 bits, grouped, free of look-alike
//! characters; stored only as SHA-256.

use qrcode::{QrCode, render::svg};
use rand::Rng;
use sha2::{Digest, Sha256};

/// No 0/O, 1/I/L, 2/Z, 5/S, 8/B: what a tired parent reads off a screen is
/// what they meant.
const ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
const LENGTH: usize = 12;
/// 12 characters of 25: 55.7 bits.
pub const BITS: f64 = 55.7;
pub const LIFETIME_DAYS: i64 = 7;

/// A new code such as `K7QX-M3TR-HAWC`.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let raw: String = (0..LENGTH)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    group(&raw)
}

fn group(raw: &str) -> String {
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The canonical form of a typed or scanned code (case, spaces and dashes
/// do not matter), or `None` if it cannot be a code.
pub fn normalize(input: &str) -> Option<String> {
    let raw: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (raw.len() == LENGTH && raw.bytes().all(|b| ALPHABET.contains(&b))).then(|| group(&raw))
}

pub fn hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// A staff member's recovery code as stored: HMAC-SHA256 keyed with their
/// account id, so one table of precomputed hashes cannot serve for every
/// account, and the same code of two people never looks alike.
pub fn recovery_hash(user: uuid::Uuid, canonical: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(user.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"recovery-code:");
    mac.update(canonical.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The link a phone's camera opens: the app's enrolment page with the code.
pub fn link(public_url: &str, code: &str) -> String {
    format!("{}/enroll?code={code}", public_url.trim_end_matches('/'))
}

/// The link as a QR code, as SVG.
pub fn qr_svg(link: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_unambiguous_and_strong() {
        assert!((ALPHABET.len() as f64).log2() * LENGTH as f64 >= 40.0);
        assert!(((ALPHABET.len() as f64).log2() * LENGTH as f64 - BITS).abs() < 0.1);
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 14);
            assert_eq!(code.matches('-').count(), 2);
            assert!(
                !code.contains(['0', 'O', '1', 'I', 'L', '2', 'Z', '5', 'S', '8', 'B']),
                "{code}"
            );
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typing_variants_are_accepted_and_junk_refused() {
        assert_eq!(
            normalize(" k7qx m3tr-hawc ").as_deref(),
            Some("K7QX-M3TR-HAWC")
        );
        assert_eq!(normalize("K7QXM3TRHAWC").as_deref(), Some("K7QX-M3TR-HAWC"));
        for junk in [
            "",
            "K7QX-M3TR",
            "K7QX-M3TR-HAWC-AAAA",
            "K0QX-M3TR-HAWC",
            "K7QX-M3TR-HAW!",
        ] {
            assert_eq!(normalize(junk), None, "{junk}");
        }
        assert_ne!(hash("K7QX-M3TR-HAWC"), "K7QX-M3TR-HAWC");
    }

    #[test]
    fn qr_holds_the_link() {
        let link = link("https://diary.example/", "K7QX-M3TR-HAWC");
        assert_eq!(link, "https://diary.example/enroll?code=K7QX-M3TR-HAWC");
        let svg = qr_svg(&link).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg"),
            "{}",
            &svg[..80]
        );
    }
}
