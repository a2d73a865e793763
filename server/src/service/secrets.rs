//! Secrets at rest and in cookies: sealing access-key secrets (ChaCha20-Poly1305 under the
//! installation's master key), hashing passwords (argon2id), and random tokens.

use std::path::Path;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::Rng;
use sha2::{Digest, Sha256};

/// Seals and opens access-key secrets with the master key, and derives the installation's
/// keyed tokens (proof-of-control challenges) from it.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
    /// A key of its own for tokens (never the sealing key itself).
    token_key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub fn new(key: [u8; 32]) -> Sealer {
        let mut derive = Sha256::new();
        derive.update(b"itm token key\0");
        derive.update(key);
        Sealer {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
            token_key: derive.finalize().into(),
        }
    }

    /// A token only this installation can compute: hex HMAC-SHA256 of `purpose` and `subject`
    /// under the token key, 32 digits. The same inputs always give the same token, so a value
    /// can be shown before anything is stored (and on every node).
    pub fn token(&self, purpose: &str, subject: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.token_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(subject.as_bytes());
        let mut text = hex::encode(mac.finalize().into_bytes());
        text.truncate(32);
        text
    }

    /// Reads the 64-hex-digit master key at `path`, creating it (mode 0600) when absent.
    /// Every node of one installation must use the same key.
    pub fn from_key_file(path: &Path) -> anyhow::Result<Sealer> {
        if !path.exists() {
            let key: [u8; 32] = rand::rng().random();
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
                && !parent.exists()
            {
                crate::store::private_folder(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            write_private(path, &hex::encode(key))
                .with_context(|| format!("writing {}", path.display()))?;
            tracing::info!("created the master key {}", path.display());
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let bytes =
            hex::decode(text.trim()).with_context(|| format!("{}: not hex", path.display()))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            anyhow::anyhow!(
                "{}: the master key must be 32 bytes (64 hex digits)",
                path.display()
            )
        })?;
        Ok(Sealer::new(key))
    }

    pub fn seal(&self, secret: &str) -> String {
        let nonce: [u8; 12] = rand::rng().random();
        // Encrypting a short in-memory buffer cannot fail.
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), secret.as_bytes())
            .unwrap_or_default();
        format!("{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = hex::decode(sealed).ok()?;
        let (nonce, body) = bytes.split_at_checked(12)?;
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt =
        SaltString::encode_b64(&rand::rng().random::<[u8; 16]>()).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Password hashing costs ~20 MiB and tens of milliseconds a time (argon2id). It runs on a
/// few threads of its own, one job each at a time: a flood of logins queues (cheaply, as
/// waiting futures) instead of taking the async workers, and the memory the hashing keeps is
/// that of these threads alone (the allocator keeps a freed block per thread it ran on).
struct HashingPool {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
    gate: tokio::sync::Semaphore,
}

type Job = Box<dyn FnOnce() + Send>;

fn hashing_pool() -> &'static HashingPool {
    static POOL: std::sync::OnceLock<HashingPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("itm-hash-{n}"))
                .spawn(move || {
                    loop {
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("starting a password hashing thread: {e}");
            }
        }
        HashingPool {
            jobs: std::sync::Mutex::new(jobs),
            gate: tokio::sync::Semaphore::new(threads),
        }
    })
}

/// Runs `work` on the hashing threads; `None` if they are gone.
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let pool = hashing_pool();
    let _permit = pool.gate.acquire().await.ok()?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(work());
    });
    pool.jobs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(job)
        .ok()?;
    answer.await.ok()
}

/// [`verify_password`] on the hashing threads, each reusing one block of working memory
/// (allocating and freeing ~20 MiB per login makes the allocator keep ever more of it).
pub async fn check_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    on_hashing_thread(move || verify_in_reused_memory(&password, &hash))
        .await
        .unwrap_or(false)
}

fn verify_in_reused_memory(password: &str, hash: &str) -> bool {
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const {
            std::cell::RefCell::new(Vec::new())
        };
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let algorithm = argon2::Algorithm::try_from(parsed.algorithm);
    let version = parsed
        .version
        .map_or(Ok(argon2::Version::default()), argon2::Version::try_from);
    let params = argon2::Params::try_from(&parsed);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, params) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let hashed = BLOCKS.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon2.hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut memory[..blocks],
        )
    });
    hashed.is_ok() && constant_time_eq(&out, expected.as_bytes())
}

/// Equality that takes as long whatever the contents (for secrets and their digests).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// [`hash_password`] on the hashing threads.
pub async fn hash_password_async(password: &str) -> Result<String, String> {
    let password = password.to_owned();
    on_hashing_thread(move || hash_password(&password))
        .await
        .unwrap_or_else(|| Err("the password hashing threads are gone".into()))
}

/// The library's own check, which the reused-memory one is tested against.
#[cfg(test)]
fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A random token of `len` characters from [A-Za-z0-9].
pub fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let sealer = Sealer::new([7; 32]);
        let sealed = sealer.seal("s3cret");
        assert_ne!(sealed, "s3cret");
        assert_eq!(sealer.open(&sealed).as_deref(), Some("s3cret"));
        assert_eq!(Sealer::new([8; 32]).open(&sealed), None);
        assert_eq!(sealer.open("zz"), None);
    }

    #[test]
    fn tokens_depend_on_key_purpose_and_subject() {
        let sealer = Sealer::new([7; 32]);
        let token = sealer.token("challenge", "1|www.example.com");
        assert_eq!(token.len(), 32);
        assert_eq!(token, sealer.token("challenge", "1|www.example.com"));
        assert_ne!(token, sealer.token("challenge", "2|www.example.com"));
        assert_ne!(token, sealer.token("other", "1|www.example.com"));
        assert_ne!(
            token,
            Sealer::new([8; 32]).token("challenge", "1|www.example.com")
        );
    }

    #[test]
    fn passwords_verify_against_their_argon2id_hash() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
        // The reused-memory check agrees with the library's own.
        assert!(verify_in_reused_memory("correct horse", &hash));
        assert!(!verify_in_reused_memory("wrong", &hash));
        assert!(!verify_in_reused_memory("x", "not a hash"));
    }
}
