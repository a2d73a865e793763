//! `bce-auth-v1` request signing, the server side (docs: `shared/spec/bce-auth-v1.md`):
//! `Authorization: bce-auth-v1/{ak}/{timestamp}/{expirationSeconds}/{signedHeaders}/{signature}`,
//! the signature an HMAC-SHA256 over the canonical request under a key derived from the secret.
//! Pure functions over the received method, path, query and headers, so they are tested with the
//! specification's golden vectors and the official SDK signs against them in the API tests.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;

use crate::service::constant_time_eq;

/// Everything but `A–Z a–z 0–9 - _ . ~` is percent-encoded (upper-case hex).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The same, keeping `/` (for the path).
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Largest validity a header may state (seven days; the server also caps a signature's age,
/// `--max-signature-age`), and the clock skew it tolerates.
pub const MAX_EXPIRATION_SECS: i64 = 7 * 24 * 3600;
pub const ALLOWED_SKEW_SECS: i64 = 300;

/// The parts of an `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeader {
    pub access_key_id: String,
    pub timestamp: String,
    pub expiration_secs: i64,
    /// Lower-case names; empty means the default selection.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "the Authorization header is not bce-auth-v1/{{ak}}/{{timestamp}}/{{expiration}}/{{signedHeaders}}/{{signature}}"
    )]
    Malformed,
    #[error("the signature timestamp \"{0}\" is not YYYY-MM-DDThh:mm:ssZ")]
    BadTimestamp(String),
    #[error("the request's signature has expired")]
    Expired,
    #[error("the signature is older than this server accepts ({0} s); sign the request again")]
    TooOld(i64),
    #[error("the body does not match the signed {0} header")]
    BodyMismatch(&'static str),
    #[error("this signed request was already received (a replay); sign each request anew")]
    Replayed,
    #[error("the signature timestamp is in the future")]
    FromTheFuture,
    #[error("the Host header must be signed")]
    HostNotSigned,
    #[error("the signature does not match")]
    Mismatch,
}

pub fn parse_authorization(value: &str) -> Result<AuthHeader, AuthError> {
    let parts: Vec<&str> = value.trim().split('/').collect();
    let [scheme, ak, timestamp, expiration, signed, signature] = parts[..] else {
        return Err(AuthError::Malformed);
    };
    if scheme != "bce-auth-v1" || ak.is_empty() || signature.len() != 64 {
        return Err(AuthError::Malformed);
    }
    let expiration_secs = expiration
        .parse::<i64>()
        .map_err(|_| AuthError::Malformed)?;
    if !(1..=MAX_EXPIRATION_SECS).contains(&expiration_secs) {
        return Err(AuthError::Malformed);
    }
    let signed_headers = signed
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    Ok(AuthHeader {
        access_key_id: ak.to_owned(),
        timestamp: timestamp.to_owned(),
        expiration_secs,
        signed_headers,
        signature: signature.to_ascii_lowercase(),
    })
}

/// Refuses a signature outside its validity window, or older than `max_age_secs` whatever
/// validity it claims.
pub fn check_validity(
    auth: &AuthHeader,
    now_secs: i64,
    max_age_secs: i64,
) -> Result<(), AuthError> {
    let signed_at = parse_timestamp(&auth.timestamp)
        .ok_or_else(|| AuthError::BadTimestamp(auth.timestamp.clone()))?;
    if now_secs > signed_at + auth.expiration_secs {
        return Err(AuthError::Expired);
    }
    if now_secs > signed_at + max_age_secs {
        return Err(AuthError::TooOld(max_age_secs));
    }
    if signed_at > now_secs + ALLOWED_SKEW_SECS {
        return Err(AuthError::FromTheFuture);
    }
    Ok(())
}

/// Checks the signature of a received request. `headers` are (name, value) as received.
/// Returns the names of the headers the signature covers.
pub fn verify(
    auth: &AuthHeader,
    secret: &str,
    method: &str,
    path: &str,
    raw_query: Option<&str>,
    headers: &[(String, String)],
) -> Result<Vec<String>, AuthError> {
    let key = signing_key(secret, auth);
    let candidates: Vec<Vec<String>> = if auth.signed_headers.is_empty() {
        vec![default_selection(headers)]
    } else {
        // Exactly the listed headers; the Python SDK also signs every x-bce-* header without
        // listing it, so that variant is accepted too.
        let mut with_bce = auth.signed_headers.clone();
        with_bce.extend(
            headers
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .filter(|n| n.starts_with("x-bce-")),
        );
        vec![auth.signed_headers.clone(), with_bce]
    };
    for selection in candidates {
        if !selection.iter().any(|h| h == "host") {
            return Err(AuthError::HostNotSigned);
        }
        let canonical = canonical_request(method, path, raw_query, headers, &selection);
        if constant_time_eq(
            hmac_hex(key.as_bytes(), canonical.as_bytes()).as_bytes(),
            auth.signature.as_bytes(),
        ) {
            return Ok(selection);
        }
    }
    Err(AuthError::Mismatch)
}

/// `hex(HMAC-SHA256(secret, "bce-auth-v1/{ak}/{timestamp}/{expiration}"))`.
pub fn signing_key(secret: &str, auth: &AuthHeader) -> String {
    let prefix = format!(
        "bce-auth-v1/{}/{}/{}",
        auth.access_key_id, auth.timestamp, auth.expiration_secs
    );
    hmac_hex(secret.as_bytes(), prefix.as_bytes())
}

pub fn canonical_request(
    method: &str,
    path: &str,
    raw_query: Option<&str>,
    headers: &[(String, String)],
    selection: &[String],
) -> String {
    let path = percent_decode_str(path).decode_utf8_lossy();
    let uri = if path.is_empty() {
        "/".to_owned()
    } else {
        utf8_percent_encode(&path, PATH).to_string()
    };
    format!(
        "{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        uri,
        canonical_query(raw_query.unwrap_or("")),
        canonical_headers(headers, selection)
    )
}

fn canonical_query(raw: &str) -> String {
    let mut pairs: Vec<String> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decode_str(name).decode_utf8_lossy();
            if name.eq_ignore_ascii_case("authorization") {
                return None;
            }
            let value = percent_decode_str(value).decode_utf8_lossy();
            Some(format!("{}={}", enc(&name), enc(&value)))
        })
        .collect();
    pairs.sort();
    pairs.join("&")
}

fn default_selection(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .filter(|(n, v)| {
            !v.trim().is_empty()
                && (matches!(
                    n.as_str(),
                    "host" | "content-length" | "content-type" | "content-md5"
                ) || n.starts_with("x-bce-"))
        })
        .map(|(n, _)| n)
        .collect()
}

fn canonical_headers(headers: &[(String, String)], selection: &[String]) -> String {
    let mut lines: Vec<String> = selection
        .iter()
        .filter_map(|name| {
            let value = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())?;
            Some(format!("{}:{}", enc(name.trim()), enc(value)))
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.join("\n")
}

fn enc(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// `YYYY-MM-DDThh:mm:ssZ` → seconds since the Unix epoch.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, s) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn auth(signed: &str, signature: &str) -> AuthHeader {
        parse_authorization(&format!(
            "bce-auth-v1/AK/2025-01-01T00:00:00Z/1800/{signed}/{signature}"
        ))
        .expect("parses")
    }

    const GET_SIG: &str = "9d506cbd2d2ea1cd2925f17a154698b5af5e1a402067127404ad7a7a8031ff01";
    const POST_SIG: &str = "4dfc923abfc875ed9c52088f7e8ec8b308636e94acf518abc1fd757e95464c9c";

    #[test]
    fn golden_signing_key() {
        assert_eq!(
            signing_key("SK", &auth("", GET_SIG)),
            "09575498f210eaa5835dc399f6c4554cbc481cddd1e27651eabdb1f310e22f2e"
        );
    }

    #[test]
    fn golden_get_with_default_and_explicit_signed_headers() {
        let h = headers(&[
            ("Host", "127.0.0.1:8080"),
            ("x-bce-date", "2025-01-01T00:00:00Z"),
            ("User-Agent", "x"),
        ]);
        let canonical = canonical_request("GET", "/v1/domains", None, &h, &default_selection(&h));
        assert_eq!(
            canonical,
            "GET\n/v1/domains\n\nhost:127.0.0.1%3A8080\nx-bce-date:2025-01-01T00%3A00%3A00Z"
        );
        assert_eq!(
            verify(&auth("", GET_SIG), "SK", "GET", "/v1/domains", None, &h),
            Ok(vec!["host".to_owned(), "x-bce-date".to_owned()])
        );
        assert!(
            verify(
                &auth("host;x-bce-date", GET_SIG),
                "SK",
                "GET",
                "/v1/domains",
                None,
                &h
            )
            .is_ok()
        );
        assert_eq!(
            verify(&auth("", GET_SIG), "other", "GET", "/v1/domains", None, &h),
            Err(AuthError::Mismatch)
        );
        assert_eq!(
            verify(&auth("", GET_SIG), "SK", "POST", "/v1/domains", None, &h),
            Err(AuthError::Mismatch)
        );
    }

    #[test]
    fn golden_post_with_query_and_body_headers() {
        let h = headers(&[
            ("Host", "127.0.0.1:8080"),
            ("x-bce-date", "2025-01-01T00:00:00Z"),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", "13"),
        ]);
        let path = "/v1/domains/www.example.com/pools";
        let query = Some("pageNo=1&marker=a%20b%2Fc");
        assert!(verify(&auth("", POST_SIG), "SK", "POST", path, query, &h).is_ok());
        let tampered = Some("pageNo=2&marker=a%20b%2Fc");
        assert_eq!(
            verify(&auth("", POST_SIG), "SK", "POST", path, tampered, &h),
            Err(AuthError::Mismatch)
        );
    }

    #[test]
    fn host_must_be_signed_and_the_header_well_formed() {
        let h = headers(&[("Host", "h"), ("x-bce-date", "2025-01-01T00:00:00Z")]);
        assert_eq!(
            verify(&auth("x-bce-date", GET_SIG), "SK", "GET", "/", None, &h),
            Err(AuthError::HostNotSigned)
        );
        assert_eq!(
            parse_authorization("bce-auth-v1/AK/2025-01-01T00:00:00Z/1800/"),
            Err(AuthError::Malformed)
        );
        assert_eq!(parse_authorization("Basic abc"), Err(AuthError::Malformed));
        let long = format!("bce-auth-v1/AK/2025-01-01T00:00:00Z/99999999//{GET_SIG}");
        assert_eq!(parse_authorization(&long), Err(AuthError::Malformed));
    }

    #[test]
    fn validity_window_is_enforced() {
        let a = auth("", GET_SIG);
        let t = 1_735_689_600;
        assert_eq!(parse_timestamp("2025-01-01T00:00:00Z"), Some(t));
        assert_eq!(check_validity(&a, t + 1800, 1800), Ok(()));
        assert_eq!(check_validity(&a, t + 1801, 1800), Err(AuthError::Expired));
        assert_eq!(
            check_validity(&a, t - 301, 1800),
            Err(AuthError::FromTheFuture)
        );
        // A long stated validity is cut to the server's maximum age.
        let week = parse_authorization(&format!(
            "bce-auth-v1/AK/2025-01-01T00:00:00Z/604800//{GET_SIG}"
        ))
        .expect("parses");
        assert_eq!(check_validity(&week, t + 1799, 1800), Ok(()));
        assert_eq!(
            check_validity(&week, t + 1801, 1800),
            Err(AuthError::TooOld(1800))
        );
        assert_eq!(parse_timestamp("2025-13-01T00:00:00Z"), None);
        assert_eq!(parse_timestamp("2025-01-01 00:00:00"), None);
    }
}
