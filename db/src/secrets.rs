//! Secrets the database keeps but must not be able to reveal on its own (an SSO provider's client
//! secret): sealed with XChaCha20-Poly1305 under a key kept outside the database — a file the
//! operator names (`GATEHOUSE_SECRET_KEY_FILE`), or on SQLite one beside the database file. A
//! copy of the database alone (a backup, a leaked dump) opens none of them, and a sealed value
//! moved to another row does not open there (the row is the associated data).
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::Path;
use std::sync::Arc;

const PREFIX: &str = "v1:";

#[derive(Clone)]
pub struct SealingKey(Arc<[u8; 32]>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

impl SealingKey {
    /// 64 hex digits (32 bytes).
    pub fn from_hex(text: &str) -> Result<SealingKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "the secret key must be 64 hex digits".to_string())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| "the secret key must be 64 hex digits (32 bytes)".to_string())?;
        Ok(SealingKey(Arc::new(key)))
    }

    /// A fresh random key (tests, and the first start of a new SQLite database).
    pub fn generate() -> SealingKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SealingKey(Arc::new(key))
    }

    /// Reads the key file, or — when `create` and there is none — writes a new one readable by
    /// its owner only.
    pub fn load(path: &Path, create: bool) -> Result<SealingKey, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => SealingKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let key = SealingKey::generate();
                write_private(path, &hex::encode(*key.0)).map_err(|e| format!("cannot write the secret key to {}: {e}", path.display()))?; // not user text: the operator's, at start
                Ok(key)
            }
            Err(e) => Err(format!("cannot read the secret key {}: {e}", path.display())), // not user text: the operator's, at start
        }
    }

    /// Seals `plain` for the row named by `context` (e.g. `sso_providers:<public id>`).
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let sealed = cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: context.as_bytes() }).expect("sealing cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(out))
    }

    /// Opens what [`seal`](Self::seal) made for the same `context`; `None` for another key, another
    /// row or a damaged value.
    pub fn open(&self, context: &str, sealed: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if bytes.len() < 24 + 16 {
            return None;
        }
        let (nonce, body) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let plain = cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_key_and_the_row() {
        let key = SealingKey::generate();
        let sealed = key.seal("sso_providers:abc", "s3cret");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, key.seal("sso_providers:abc", "s3cret"), "a fresh nonce each time");
        assert_eq!(key.open("sso_providers:abc", &sealed).as_deref(), Some("s3cret"));
        assert_eq!(key.open("sso_providers:other", &sealed), None, "moved to another row");
        assert_eq!(SealingKey::generate().open("sso_providers:abc", &sealed), None, "another key");
        let mut damaged = sealed.clone();
        damaged.pop();
        assert_eq!(key.open("sso_providers:abc", &damaged), None);
        assert_eq!(key.open("sso_providers:abc", "v1:"), None);
        assert!(format!("{key:?}").contains('…'), "never printed");
    }

    #[test]
    fn key_files_are_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gatehouse.key");
        assert!(SealingKey::load(&path, false).is_err(), "not created unless asked");
        let a = SealingKey::load(&path, true).unwrap();
        let b = SealingKey::load(&path, true).unwrap();
        assert_eq!(b.open("x", &a.seal("x", "same key")).as_deref(), Some("same key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "nothex").unwrap();
        assert!(SealingKey::load(&path, true).unwrap_err().contains("64 hex digits"));
        assert!(SealingKey::from_hex(&"ab".repeat(31)).is_err());
    }
}
