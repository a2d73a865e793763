//! EDNS (RFC 6891) payload sizes: what a UDP answer may use, shared by the fast path, the
//! datagram fallback and hickory's handler.

/// The largest UDP answer we offer (the DNS flag day 2020 value).
pub const MAX_UDP_PAYLOAD: u16 = 1232;

/// The UDP payload size an answer may use: what the client offers, within 512..=1232.
pub fn response_payload(offered: u16) -> u16 {
    offered.clamp(512, MAX_UDP_PAYLOAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_is_clamped_to_the_classic_minimum_and_our_maximum() {
        assert_eq!(response_payload(0), 512);
        assert_eq!(response_payload(1000), 1000);
        assert_eq!(response_payload(4096), MAX_UDP_PAYLOAD);
    }
}
