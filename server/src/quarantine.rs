//! Domains whose stored configuration could not be loaded (a strategy that no longer parses or
//! validates, or one that made the compiler fail). One bad document never stops the server: the
//! DNS snapshot keeps answering that domain from its last good build, or SERVFAIL without one,
//! and loads every other domain. This book says which domains are held so and why, for
//! `GET /v1/domains/{domain}`, the console and `/metrics`. Written by the snapshot builder,
//! never read per query.

use std::collections::HashMap;
use std::sync::Mutex;

/// Why and since when (ms) a domain is quarantined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub reason: String,
    pub since: i64,
}

#[derive(Debug, Default)]
pub struct Quarantine {
    // A plain mutex: a map insert or lookup, never held across an await.
    held: Mutex<HashMap<i64, Held>>,
}

impl Quarantine {
    /// Holds `domain` for `reason` (keeping the first time it was held while the reason lasts).
    pub fn hold(&self, domain: i64, reason: String) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match held.get_mut(&domain) {
            Some(h) if h.reason == reason => {}
            _ => {
                held.insert(
                    domain,
                    Held {
                        reason,
                        since: crate::clock::now_ms(),
                    },
                );
            }
        }
    }

    /// The domain loaded (or is gone): no longer held.
    pub fn release(&self, domain: i64) {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&domain);
    }

    pub fn get(&self, domain: i64) -> Option<Held> {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&domain)
            .cloned()
    }

    pub fn len(&self) -> usize {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
