//! The signing secrets (`JWT_SECRET`, `SESSION_SECRET`) when they are not set in the environment: generated on
//! first start and stored in `app_settings` encrypted (XChaCha20-Poly1305), so a copy of the database or a
//! backup does not hand out the keys that sign logins. The encryption key comes from `SECRETS_KEY`, or from
//! `DATA_DIR/secrets.key`, generated once (mode 0600) — every node on one database needs the same one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::path::Path;

/// Stored values start with this; anything else is a secret stored in plain text by an older version.
const PREFIX: &str = "enc1:";
const KEY_FILE: &str = "secrets.key";

pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    source: String,
}

impl SecretBox {
    /// The key of `SECRETS_KEY` (at least 32 characters), or of the key file under `data_dir`.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let (key, source) = match configured {
            Some(k) if k.chars().count() < 32 => {
                anyhow::bail!(
                    "SECRETS_KEY must be at least 32 characters (random, e.g. `openssl rand -base64 32`)"
                )
            }
            Some(k) => (
                Sha256::digest(k.as_bytes()).to_vec(),
                "SECRETS_KEY".to_owned(),
            ),
            None => {
                let path = data_dir.join(KEY_FILE);
                (key_file(&path)?, path.display().to_string())
            }
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&key)
            .map_err(|_| anyhow::anyhow!("the secrets key has the wrong length"))?;
        Ok(Self { cipher, source })
    }

    fn seal(&self, plain: &str) -> anyhow::Result<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("could not encrypt a secret"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    fn open(&self, name: &str, stored: &str) -> anyhow::Result<String> {
        let wrong = || {
            anyhow::anyhow!(
                "the stored {name} cannot be decrypted with the key from {}: every app node on this database \
                 needs the same SECRETS_KEY (or the same DATA_DIR/{KEY_FILE}); or set JWT_SECRET and \
                 SESSION_SECRET yourself",
                self.source
            )
        };
        let bytes = STANDARD
            .decode(stored.trim_start_matches(PREFIX))
            .map_err(|_| wrong())?;
        if bytes.len() < 24 {
            return Err(wrong());
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| wrong())?;
        String::from_utf8(plain).map_err(|_| wrong())
    }
}

/// The key file's 32 bytes, creating it when missing. Several processes may start at once: the key is written
/// to a private temporary file and linked into place, so nobody ever reads a half-written key and the first
/// one linked wins.
fn key_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7().simple()));
        write_private(&tmp, STANDARD.encode(key).as_bytes())?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::info!(path = %path.display(), "generated the key that encrypts stored secrets")
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(anyhow::anyhow!("could not write {}: {e}", path.display())),
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("could not read {}: {e}", path.display()))?;
    let key = STANDARD
        .decode(text.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| anyhow::anyhow!("{} does not hold a key", path.display()))?;
    Ok(key)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// A configured secret, or the one generated and stored (encrypted) on first start, shared by every node. A
/// secret an older version stored in plain text is encrypted in place.
pub async fn secret(
    pool: &PgPool,
    configured: Option<&str>,
    key: &str,
    vault: &SecretBox,
) -> anyhow::Result<String> {
    if let Some(s) = configured {
        return Ok(s.to_owned());
    }
    let fresh = vault.seal(&app::ssr::security::random_secret())?;
    let stored = app::ssr::repo::settings::get_or_create(pool, key, || fresh).await?;
    if stored.starts_with(PREFIX) {
        return vault.open(key, &stored);
    }
    let sealed = vault.seal(&stored)?;
    app::ssr::repo::settings::replace(pool, key, &stored, &sealed).await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let dir = std::env::temp_dir().join(format!("crm-ims-secrets-{}", uuid::Uuid::now_v7()));
        let a = SecretBox::load(None, &dir).expect("key file");
        let again = SecretBox::load(None, &dir).expect("same key file");
        let sealed = a.seal("signing secret").unwrap();
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("signing secret"));
        assert_eq!(again.open("jwt_secret", &sealed).unwrap(), "signing secret");
        let other = SecretBox::load(Some("another key that is long enough to use!"), &dir).unwrap();
        let err = other.open("jwt_secret", &sealed).unwrap_err().to_string();
        assert!(err.contains("SECRETS_KEY"), "{err}");
        assert!(SecretBox::load(Some("short"), &dir).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
