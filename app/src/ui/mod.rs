//! The console placeholder (replaced below).
