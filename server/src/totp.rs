//! Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226) and the `otpauth://` URI that
//! authenticator apps scan.
//!
//! Time is a parameter everywhere: nothing here reads a clock.

use std::fmt;
use std::str::FromStr;

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

/// Bytes in a newly generated secret: 160 bits, the size RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;

/// The HMAC hash of an authenticator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The spelling used in otpauth URIs, the config file and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

impl FromStr for Algorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(Algorithm::Sha1),
            "SHA256" => Ok(Algorithm::Sha256),
            "SHA512" => Ok(Algorithm::Sha512),
            _ => Err(format!(
                "unknown algorithm {s:?}; use SHA1, SHA256 or SHA512"
            )),
        }
    }
}

/// How codes are computed from a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    pub algorithm: Algorithm,
    /// 6 or 8.
    pub digits: u32,
    /// Seconds per time step; at least 1.
    pub period: u64,
}

impl Params {
    /// What Google Authenticator and nearly every other app assume when the URI says nothing.
    pub const GOOGLE: Params = Params {
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
    };
}

/// A shared TOTP secret. Its `Debug` output never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A fresh random secret from the operating system's CSPRNG.
    pub fn generate() -> Result<Secret, getrandom::Error> {
        let mut bytes = vec![0u8; SECRET_LEN];
        getrandom::fill(&mut bytes)?;
        Ok(Secret(bytes))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// Parses base32 as people and apps write it: any case, spaces and padding ignored.
    pub fn from_base32(text: &str) -> Option<Secret> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .ok()
            .filter(|b| !b.is_empty())
            .map(Secret)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 without padding, upper case.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The first 8 hex digits of the secret's SHA-256: short enough to read aloud, enough to
    /// tell two secrets apart, useless for recovering the secret.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(&self.0);
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(fingerprint {})", self.fingerprint())
    }
}

/// The HOTP value of RFC 4226 for `counter`, as a zero-padded string of `digits` digits.
pub fn hotp(secret: &Secret, counter: u64, algorithm: Algorithm, digits: u32) -> String {
    let message = counter.to_be_bytes();
    let mac = match algorithm {
        Algorithm::Sha1 => hmac_of::<Hmac<sha1::Sha1>>(secret.as_bytes(), &message),
        Algorithm::Sha256 => hmac_of::<Hmac<Sha256>>(secret.as_bytes(), &message),
        Algorithm::Sha512 => hmac_of::<Hmac<Sha512>>(secret.as_bytes(), &message),
    };

    // Dynamic truncation (RFC 4226 section 5.3): the low nibble of the last byte picks four
    // bytes, read big-endian with the top bit cleared.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    let value = u64::from(word & 0x7fff_ffff) % 10u64.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

fn hmac_of<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
    let mut mac =
        <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The time step that `unix_time` falls in (RFC 6238: T0 = 0).
pub fn step_at(unix_time: u64, period: u64) -> u64 {
    unix_time / period.max(1)
}

/// The TOTP code at `unix_time`.
pub fn code_at(secret: &Secret, params: Params, unix_time: u64) -> String {
    hotp(
        secret,
        step_at(unix_time, params.period),
        params.algorithm,
        params.digits,
    )
}

/// Finds the time step, within `window` steps either side of `unix_time`, whose code equals
/// `code`. Every candidate is compared in constant time.
pub fn matching_step(
    secret: &Secret,
    params: Params,
    code: &str,
    unix_time: u64,
    window: u64,
) -> Option<u64> {
    let current = step_at(unix_time, params.period);
    let first = current.saturating_sub(window);
    let mut found = None;
    for step in first..=current.saturating_add(window) {
        let expected = hotp(secret, step, params.algorithm, params.digits);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Why an issuer or account name cannot go into an otpauth label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("the issuer must not be empty or contain ':'")]
    Issuer,
    #[error("the account name must not be empty or contain ':'")]
    Account,
}

/// Everything but the unreserved characters of RFC 3986 is percent-encoded, so a space becomes
/// `%20` (never `+`, which some apps would show literally) and `@` becomes `%40`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Checks that an issuer and account name can form a label. The colon separates the two in the
/// label, so neither may contain one.
pub fn check_label(issuer: &str, account: &str) -> Result<(), LabelError> {
    if issuer.trim().is_empty() || issuer.contains(':') {
        return Err(LabelError::Issuer);
    }
    if account.trim().is_empty() || account.contains(':') {
        return Err(LabelError::Account);
    }
    Ok(())
}

/// The `otpauth://totp/` URI of the Key Uri Format: the label is `issuer:account`, each part
/// percent-encoded, and the issuer is repeated as a parameter for apps that read only that.
pub fn otpauth_uri(
    issuer: &str,
    account: &str,
    secret: &Secret,
    params: Params,
) -> Result<String, LabelError> {
    check_label(issuer, account)?;
    let issuer = utf8_percent_encode(issuer, COMPONENT).to_string();
    let account = utf8_percent_encode(account, COMPONENT).to_string();
    Ok(format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm={alg}\
         &digits={digits}&period={period}",
        secret = secret.to_base32(),
        alg = params.algorithm.as_str(),
        digits = params.digits,
        period = params.period,
    ))
}

/// The QR code of `data` as an `<svg>` element, black on white with a quiet zone: fit to go
/// inline in a page, and a complete SVG file on its own.
pub fn qr_svg(data: &str) -> Result<String, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)?;
    let document = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // The renderer opens with an XML declaration, which HTML would show as a stray comment.
    let start = document.find("<svg").unwrap_or(0);
    Ok(document[start..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trip_ignores_case_spaces_and_padding() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        let text = secret.to_base32();
        assert_eq!(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq====";
        assert_eq!(Secret::from_base32(spaced), Some(secret));
        assert_eq!(Secret::from_base32("not base32!"), None);
        assert_eq!(Secret::from_base32(""), None);
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        let shown = format!("{secret:?}");
        assert!(!shown.contains("GEZDGNBV"), "{shown}");
        assert!(!shown.contains("1234567890"), "{shown}");
        assert!(shown.contains(&secret.fingerprint()));
    }

    #[test]
    fn fingerprint_is_eight_hex_digits_of_sha256() {
        // SHA-256("12345678901234567890") starts 6ed645ef.
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(secret.fingerprint(), "6ed645ef");
    }

    #[test]
    fn generated_secrets_are_160_bits_and_differ() {
        let a = Secret::generate().expect("OS random source");
        let b = Secret::generate().expect("OS random source");
        assert_eq!(a.as_bytes().len(), 20);
        assert_eq!(a.to_base32().len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn matching_step_honours_the_window() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        let params = Params::GOOGLE;
        let now = 1_700_000_000;
        let step = step_at(now, 30);
        let previous = hotp(&secret, step - 1, Algorithm::Sha1, 6);
        let two_back = hotp(&secret, step - 2, Algorithm::Sha1, 6);
        assert_eq!(
            matching_step(&secret, params, &previous, now, 1),
            Some(step - 1)
        );
        assert_eq!(matching_step(&secret, params, &two_back, now, 1), None);
        assert_eq!(matching_step(&secret, params, &previous, now, 0), None);
        assert_eq!(matching_step(&secret, params, "12345", now, 1), None);
    }

    #[test]
    fn algorithm_names_parse_loosely() {
        assert_eq!("sha-256".parse(), Ok(Algorithm::Sha256));
        assert_eq!("SHA512".parse(), Ok(Algorithm::Sha512));
        assert!("MD5".parse::<Algorithm>().is_err());
    }
}
