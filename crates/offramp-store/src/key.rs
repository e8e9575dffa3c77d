//! The ledger's key: how a passphrase becomes the SQLCipher key, and how secrets are held in memory.
//!
//! New ledgers: **Argon2id** (memory-hard; [`KDF_MEMORY_KIB`] of memory, [`KDF_PASSES`] passes, one lane: about
//! 0.65 s on the test machine, measured by `cargo bench -p offramp-store --bench kdf`) over the passphrase and a
//! 16-byte salt gives a 256-bit key that SQLCipher uses as is (a "raw key", no further derivation). The salt is
//! the file's own first 16 bytes (SQLCipher's plaintext salt, which it is given explicitly): its first byte says
//! how the key was derived and with which parameters ([`KDF_ARGON2ID_V2`]; [`KDF_ARGON2ID_V1`] for the first
//! Argon2id ledgers, which still open), the other 15 are random, so a ledger, and each of its backups, carries what its key needs and nothing else. With the second
//! factor on, the Argon2id output is combined (HKDF-SHA256) with a 32-byte device secret kept outside the file.
//!
//! Ledgers made before (SQLCipher's own PBKDF2-HMAC-SHA512 over the passphrase) still open, and are moved to
//! Argon2id when their passphrase is changed.
//!
//! Secrets (passphrases, keys, device secrets) live in zeroizing buffers: wiped when dropped, never printed
//! (their `Debug` is redacted).

use zeroize::Zeroizing;

/// The first salt byte of a ledger whose key is Argon2id over its passphrase with 128 MiB and 4 passes (the
/// first Argon2id ledgers: about 0.39 s here, under the 0.5 s aimed at).
pub const KDF_ARGON2ID_V1: u8 = 0xA1;
/// The first salt byte of a ledger whose key is Argon2id with [`KDF_MEMORY_KIB`] and [`KDF_PASSES`]: new ledgers.
pub const KDF_ARGON2ID_V2: u8 = 0xA2;
/// Argon2id memory for new ledgers, in KiB (256 MiB: more memory for the same time costs a guesser more).
pub const KDF_MEMORY_KIB: u32 = 256 * 1024;
/// Argon2id passes over that memory.
pub const KDF_PASSES: u32 = 3;

/// The Argon2id parameters (memory in KiB, passes) a salt's first byte names; `None` if it names none (a ledger
/// made before Argon2id, whose random salt says nothing).
pub fn kdf_params(marker: u8) -> Option<(u32, u32)> {
    match marker {
        KDF_ARGON2ID_V1 => Some((128 * 1024, 4)),
        KDF_ARGON2ID_V2 => Some((KDF_MEMORY_KIB, KDF_PASSES)),
        _ => None,
    }
}

/// A passphrase as the user typed it, wiped from memory when dropped.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(text: String) -> Passphrase {
        Passphrase(Zeroizing::new(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Passphrase {
    fn from(s: &str) -> Passphrase {
        Passphrase::new(s.to_string())
    }
}

impl From<String> for Passphrase {
    fn from(s: String) -> Passphrase {
        Passphrase::new(s)
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// 32 secret bytes (a key, a device secret), wiped when dropped.
#[derive(Clone)]
pub struct Secret32(Zeroizing<[u8; 32]>);

impl Secret32 {
    pub fn new(bytes: [u8; 32]) -> Secret32 {
        Secret32(Zeroizing::new(bytes))
    }

    /// 32 bytes from the operating system's random source.
    pub fn random() -> Result<Secret32, getrandom::Error> {
        let mut b = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut b[..])?;
        Ok(Secret32(b))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for Secret32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret32(<redacted>)")
    }
}

/// The ledger's key, as the caller has it.
#[derive(Clone)]
pub enum Key {
    /// A passphrase: Argon2id for new ledgers (and for those already moved to it); SQLCipher's PBKDF2 for ledgers
    /// made before.
    Passphrase(Passphrase),
    /// A passphrase and the device secret of the second factor: HKDF-SHA256 over the passphrase's Argon2id key and
    /// the secret.
    WithDeviceSecret(Passphrase, Secret32),
    /// A raw 256-bit key (already derived by the caller), with SQLCipher's default salt handling.
    Raw([u8; 32]),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// What SQLCipher is given for one file: a raw key with the file's salt, a legacy passphrase, or a raw key.
pub(crate) enum Material {
    Derived { key: Secret32, salt: [u8; 16] },
    Legacy(Passphrase),
    Raw(Secret32),
}

impl Material {
    /// The `PRAGMA key` text (zeroized when dropped).
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let hex = |b: &[u8], out: &mut String| {
            for x in b {
                out.push_str(&format!("{x:02x}"));
            }
        };
        let mut s = Zeroizing::new(String::with_capacity(100));
        match self {
            Material::Derived { key, salt } => {
                s.push_str("x'");
                hex(key.bytes(), &mut s);
                hex(salt, &mut s);
                s.push('\'');
            }
            Material::Raw(key) => {
                s.push_str("x'");
                hex(key.bytes(), &mut s);
                s.push('\'');
            }
            Material::Legacy(p) => s.push_str(p.as_str()),
        }
        s
    }
}

/// Argon2id over `passphrase` with `salt`, with the parameters its first byte names (see [`kdf_params`]; those of
/// new ledgers if it names none).
pub fn argon2id(passphrase: &Passphrase, salt: &[u8; 16]) -> Secret32 {
    let (memory, passes) = kdf_params(salt[0]).unwrap_or((KDF_MEMORY_KIB, KDF_PASSES));
    let params = argon2::Params::new(memory, passes, 1, Some(32)).expect("valid Argon2 parameters");
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    // Hashing into a fixed 32-byte output with these parameters cannot fail (the salt is 16 bytes, the output
    // length and parameters are fixed and valid); should it, the key is all zero and simply opens nothing.
    let _ = a.hash_password_into(passphrase.as_str().as_bytes(), salt, &mut out[..]);
    Secret32(out)
}

/// The key of a ledger with the second factor: HKDF-SHA256 over the passphrase's key and the device secret.
pub fn combine(passphrase_key: &Secret32, device_secret: &Secret32) -> Secret32 {
    let mut ikm = Zeroizing::new([0u8; 64]);
    ikm[..32].copy_from_slice(passphrase_key.bytes());
    ikm[32..].copy_from_slice(device_secret.bytes());
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"offramp ledger key v1"), &ikm[..]);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit (8,160 bytes): this cannot fail.
    let _ = hk.expand(b"sqlcipher raw key", &mut out[..]);
    Secret32(out)
}

/// A new salt for an Argon2id ledger: the marker byte, then 15 random bytes.
pub(crate) fn new_salt() -> Result<[u8; 16], getrandom::Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt[1..])?;
    salt[0] = KDF_ARGON2ID_V2;
    Ok(salt)
}

/// What to try, in order, to open a file whose first 16 bytes are `salt` with `key`.
pub(crate) fn candidates(key: &Key, salt: Option<[u8; 16]>) -> Vec<Material> {
    match key {
        Key::Raw(k) => vec![Material::Raw(Secret32::new(*k))],
        Key::Passphrase(p) => {
            let mut out = Vec::new();
            if let Some(salt) = salt.filter(|s| kdf_params(s[0]).is_some()) {
                out.push(Material::Derived { key: argon2id(p, &salt), salt });
            }
            // A ledger made before Argon2id (its random salt may begin with the marker byte too).
            out.push(Material::Legacy(p.clone()));
            out
        }
        Key::WithDeviceSecret(p, device) => match salt.filter(|s| kdf_params(s[0]).is_some()) {
            Some(salt) => vec![Material::Derived { key: combine(&argon2id(p, &salt), device), salt }],
            None => Vec::new(),
        },
    }
}

/// The material that makes a new file (a new ledger, a re-keyed copy) with `key`.
pub(crate) fn for_new_file(key: &Key) -> Result<Material, getrandom::Error> {
    Ok(match key {
        Key::Raw(k) => Material::Raw(Secret32::new(*k)),
        Key::Passphrase(p) => {
            let salt = new_salt()?;
            Material::Derived { key: argon2id(p, &salt), salt }
        }
        Key::WithDeviceSecret(p, device) => {
            let salt = new_salt()?;
            Material::Derived { key: combine(&argon2id(p, &salt), device), salt }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let p = Passphrase::from("hunter2 correct horse");
        assert_eq!(format!("{p:?}"), "Passphrase(<redacted>)");
        assert_eq!(format!("{:?}", Key::Passphrase(p.clone())), "Key(<redacted>)");
        assert_eq!(format!("{:?}", Secret32::new([1; 32])), "Secret32(<redacted>)");
    }

    #[test]
    fn derivation_is_deterministic_and_salted() {
        let p = Passphrase::from("a passphrase");
        let salt = [KDF_ARGON2ID_V2; 16];
        assert_eq!(argon2id(&p, &salt).bytes(), argon2id(&p, &salt).bytes());
        let mut other = salt;
        other[15] ^= 1;
        assert_ne!(argon2id(&p, &salt).bytes(), argon2id(&p, &other).bytes());
        let device = Secret32::new([9; 32]);
        assert_ne!(combine(&argon2id(&p, &salt), &device).bytes(), argon2id(&p, &salt).bytes());
        let s = new_salt().unwrap();
        assert_eq!(s[0], KDF_ARGON2ID_V2);
        assert_ne!(new_salt().unwrap(), s);
        let m = Material::Derived { key: Secret32::new([0xAB; 32]), salt: [0x01; 16] };
        assert_eq!(m.pragma().len(), 2 + 64 + 32 + 1);
    }
}
