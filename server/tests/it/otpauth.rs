//! Golden tests of the otpauth URI that authenticator apps scan.

use twostep_server::totp::{self, Algorithm, LabelError, Params, Secret};

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890".to_vec())
}

#[test]
fn plain_label() {
    let uri = totp::otpauth_uri("twostep", "alice", &secret(), Params::GOOGLE).expect("valid");
    assert_eq!(
        uri,
        "otpauth://totp/twostep:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=twostep\
         &algorithm=SHA1&digits=6&period=30"
    );
}

#[test]
fn spaces_and_at_signs_are_percent_encoded() {
    let params = Params {
        algorithm: Algorithm::Sha256,
        digits: 8,
        period: 60,
    };
    let uri =
        totp::otpauth_uri("Example Co", "alice@example.com", &secret(), params).expect("valid");
    assert_eq!(
        uri,
        "otpauth://totp/Example%20Co:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
         &issuer=Example%20Co&algorithm=SHA256&digits=8&period=60"
    );
    assert!(!uri.contains('+'));
}

#[test]
fn colons_are_refused() {
    let params = Params::GOOGLE;
    assert_eq!(
        totp::otpauth_uri("Ex:ample", "alice", &secret(), params),
        Err(LabelError::Issuer)
    );
    assert_eq!(
        totp::otpauth_uri("Example", "al:ice", &secret(), params),
        Err(LabelError::Account)
    );
    assert_eq!(
        totp::otpauth_uri("", "alice", &secret(), params),
        Err(LabelError::Issuer)
    );
}

#[test]
fn the_secret_in_the_uri_decodes_to_the_same_bytes() {
    let original = Secret::generate().expect("random");
    let uri = totp::otpauth_uri("twostep", "bob", &original, Params::GOOGLE).expect("valid");
    let query = uri.split_once('?').expect("query").1;
    let text = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("secret="))
        .expect("secret parameter");
    assert_eq!(
        text.len(),
        32,
        "160 bits are 32 base32 characters without padding"
    );
    assert!(!text.contains('='));
    assert_eq!(Secret::from_base32(text), Some(original));
}

#[test]
fn the_qr_code_is_an_svg_document() {
    let uri = totp::otpauth_uri("twostep", "bob", &secret(), Params::GOOGLE).expect("valid");
    let svg = totp::qr_svg(&uri).expect("fits in a QR code");
    assert!(
        svg.starts_with("<svg"),
        "an element to inline, no XML declaration: {svg}"
    );
    assert!(svg.contains("</svg>"));
}
