//! The replay cache of signed writes. A `bce-auth-v1` signature stays valid for its window
//! (at most `--max-signature-age`): a captured signed write could be sent again and again until
//! then. This node remembers every signed write it accepted — the signature with the digest of
//! its body — until its window closes, and refuses a second one. Per node: a replay sent to
//! another node of a cluster within the window is not caught (docs/api.md says so).

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Writes remembered at most; past it, new signed writes are refused until old ones expire
/// (memory stays bounded whatever a key holder sends).
const CAPACITY: usize = 1_000_000;

#[derive(Debug, Default)]
pub struct SignaturesSeen {
    // A plain mutex: one map operation, never held across an await.
    seen: Mutex<HashMap<[u8; 32], i64>>,
}

impl SignaturesSeen {
    /// Records a write signed with `signature` whose body hashes to `body_sha256`, valid until
    /// `expires` (s); false when the same was seen before (a replay) or the cache is full.
    pub fn first_use(&self, signature: &str, body_sha256: &str, expires: i64, now: i64) -> bool {
        let mut key = Sha256::new();
        key.update(signature.as_bytes());
        key.update([0]);
        key.update(body_sha256.as_bytes());
        let key: [u8; 32] = key.finalize().into();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get(&key).is_some_and(|&until| until >= now) {
            return false;
        }
        if seen.len() >= CAPACITY {
            seen.retain(|_, until| *until >= now);
            if seen.len() >= CAPACITY {
                return false;
            }
        }
        seen.insert(key, expires);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_write_is_accepted_once_in_its_window() {
        let seen = SignaturesSeen::default();
        assert!(seen.first_use("sig", "body", 100, 10));
        assert!(!seen.first_use("sig", "body", 100, 50));
        // Another body under the same signature is another request.
        assert!(seen.first_use("sig", "other body", 100, 50));
        // Once the window has closed the signature is refused by its age anyway; the entry
        // may be reused.
        assert!(seen.first_use("sig", "body", 300, 101));
    }
}
