//! The second factor: a TOTP code (RFC 6238: SHA-1, 6 digits, 30 s, one step either side) at unlock and for
//! sensitive actions, **and** a device secret without which the ledger file and its passphrase open nothing.
//!
//! When it is on, the ledger's key is HKDF(Argon2id(passphrase, salt), device secret) (see
//! `offramp_store::key`). The device secret and the TOTP secret are kept together in the operating system's
//! keyring (the Secret Service on Linux), never in the ledger's folder. Beside the ledger, `<ledger>.2fa` (0600)
//! keeps what is not secret (which keyring entry, the last code's time step, against replay) and ten **recovery
//! codes**' sealed copies of both secrets: each code (50 random bits) unlocks once instead of a TOTP code, and
//! brings the secrets back into a new keyring (a new machine, a reinstalled system). The codes themselves are
//! shown once and never stored; a sealed copy is XChaCha20-Poly1305 under Argon2id of its code.
//!
//! What this does and does not protect against is written in `docs/SECURITY.md`.

use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use offramp_core::Timestamp;
use offramp_store::{Key, Passphrase, Secret32};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{AppError, Config, ErrorCode, Session};

/// Where secrets outside the ledger are kept: the system keyring, or (tests) memory.
pub trait SecretStore: Send + Sync {
    fn get(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, AppError>;
    fn set(&self, id: &str, secret: &[u8]) -> Result<(), AppError>;
    fn delete(&self, id: &str) -> Result<(), AppError>;
}

const KEYRING_SERVICE: &str = "Offramp ledger second factor";

fn keyring_error(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorCode::KeyringUnavailable,
        format!(
            "the system keyring (Secret Service) cannot be used: {e}. The second factor needs one (on Linux: \
             gnome-keyring or KWallet, unlocked with your session)."
        ),
    )
}

/// The operating system's keyring: the Secret Service on Linux (GNOME Keyring, KWallet), over D-Bus.
pub struct SystemKeyring {
    store: std::sync::Arc<keyring_core::CredentialStore>,
}

impl SystemKeyring {
    /// Connects to the keyring; `KEYRING_UNAVAILABLE` when there is none (no D-Bus session, no Secret Service).
    pub fn connect() -> Result<SystemKeyring, AppError> {
        let store = zbus_secret_service_keyring_store::Store::new().map_err(keyring_error)?;
        Ok(SystemKeyring { store })
    }

    fn entry(&self, id: &str) -> Result<keyring_core::Entry, AppError> {
        keyring_core::Entry::new_in_store(&self.store, KEYRING_SERVICE, id).map_err(keyring_error)
    }
}

impl SecretStore for SystemKeyring {
    fn get(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, AppError> {
        match self.entry(id)?.get_secret() {
            Ok(s) => Ok(Some(Zeroizing::new(s))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, id: &str, secret: &[u8]) -> Result<(), AppError> {
        self.entry(id)?.set_secret(secret).map_err(keyring_error)
    }

    fn delete(&self, id: &str) -> Result<(), AppError> {
        match self.entry(id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Secrets in memory (tests, and a machine without a keyring... which cannot turn the second factor on).
#[derive(Default)]
pub struct MemoryStore(std::sync::Mutex<std::collections::HashMap<String, Zeroizing<Vec<u8>>>>);

impl SecretStore for MemoryStore {
    fn get(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, AppError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned())
    }
    fn set(&self, id: &str, secret: &[u8]) -> Result<(), AppError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_string(), Zeroizing::new(secret.to_vec()));
        Ok(())
    }
    fn delete(&self, id: &str) -> Result<(), AppError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        Ok(())
    }
}

/// TOTP: RFC 6238 with SHA-1, 6 digits, 30-second steps, one step of clock drift either way.
pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: usize = 6;
/// Recovery codes given when the second factor is turned on.
pub const RECOVERY_CODES: usize = 10;
const TOTP_SECRET_BYTES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    /// Secrets are in the keyring and this file, the ledger is being re-keyed (a kill here leaves the ledger
    /// under its old key: the next unlock finds out and finishes or undoes it).
    Enrolling,
    On,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sealed {
    salt: String,
    nonce: String,
    sealed: String,
    used: bool,
}

/// `<ledger>.2fa`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TwoFaFile {
    version: u32,
    state: State,
    /// The keyring entry holding the device and TOTP secrets.
    id: String,
    /// The time step of the last code accepted (a code of that step or an earlier one is refused).
    last_step: u64,
    recovery: Vec<Sealed>,
}

fn file_path(config: &Config) -> Result<PathBuf, AppError> {
    let mut s = config.ledger_path()?.into_os_string();
    s.push(".2fa");
    Ok(PathBuf::from(s))
}

fn read_file(config: &Config) -> Result<Option<TwoFaFile>, AppError> {
    let path = file_path(config)?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            AppError::new(
                ErrorCode::LedgerCorrupt,
                format!("{} (the second factor's file) cannot be read: {e}", path.display()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AppError::new(ErrorCode::Io, format!("cannot read {}: {e}", path.display()))),
    }
}

fn write_file(config: &Config, f: &TwoFaFile) -> Result<(), AppError> {
    let bytes = serde_json::to_vec_pretty(f).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(offramp_store::files::write_replacing(&file_path(config)?, &bytes)?)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::new(ErrorCode::Internal, format!("no random numbers: {e}")))?;
    Ok(b)
}

/// The two secrets, as kept in the keyring: the device secret (32 bytes), then the TOTP secret (20 bytes).
struct Secrets {
    device: Secret32,
    totp: Zeroizing<Vec<u8>>,
}

impl Secrets {
    fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut v = Zeroizing::new(Vec::with_capacity(52));
        v.extend_from_slice(self.device.bytes());
        v.extend_from_slice(&self.totp);
        v
    }

    fn from_bytes(b: &[u8]) -> Option<Secrets> {
        if b.len() != 32 + TOTP_SECRET_BYTES {
            return None;
        }
        let mut device = [0u8; 32];
        device.copy_from_slice(&b[..32]);
        Some(Secrets { device: Secret32::new(device), totp: Zeroizing::new(b[32..].to_vec()) })
    }
}

/// A recovery code's key: Argon2id of the code (19 MiB, 2 passes: a code is 50 random bits, far harder to guess
/// than a passphrase; this makes each guess cost as much as a login).
fn code_key(code: &str, salt: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    if let Ok(params) = argon2::Params::new(19 * 1024, 2, 1, Some(32)) {
        let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let _ = a.hash_password_into(normal.as_bytes(), salt, &mut out[..]);
    }
    out
}

fn seal(code: &str, secrets: &Secrets) -> Result<Sealed, AppError> {
    let salt: [u8; 16] = random()?;
    let nonce: [u8; 24] = random()?;
    let key = code_key(code, &salt);
    let cipher = XChaCha20Poly1305::new_from_slice(&key[..])
        .map_err(|_| AppError::new(ErrorCode::Internal, "cannot set up the cipher"))?;
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), secrets.to_bytes().as_slice())
        .map_err(|_| AppError::new(ErrorCode::Internal, "cannot seal a recovery copy"))?;
    Ok(Sealed { salt: hex(&salt), nonce: hex(&nonce), sealed: hex(&sealed), used: false })
}

fn open_sealed(code: &str, s: &Sealed) -> Option<Secrets> {
    let (salt, nonce, sealed) = (unhex(&s.salt)?, unhex(&s.nonce)?, unhex(&s.sealed)?);
    if nonce.len() != 24 {
        return None;
    }
    let key = code_key(code, &salt);
    let cipher = XChaCha20Poly1305::new_from_slice(&key[..]).ok()?;
    let plain = Zeroizing::new(cipher.decrypt(XNonce::from_slice(&nonce), sealed.as_slice()).ok()?);
    Secrets::from_bytes(&plain)
}

/// A recovery code: ten characters of Crockford's base32 (50 bits), written `XXXXX-XXXXX`.
fn new_recovery_code() -> Result<String, AppError> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 10] = random()?;
    let chars: String = bytes.iter().map(|b| ALPHABET[(b % 32) as usize] as char).collect();
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

fn looks_like_recovery_code(code: &str) -> bool {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10 && code.chars().any(|c| c.is_ascii_alphabetic())
}

fn totp(secret: &[u8]) -> totp_rs::TOTP {
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, secret.to_vec())
}

/// The time step a code is valid for, of `now`'s step and the one on either side; `None` when it matches none.
fn code_step(secret: &[u8], code: &str, now: Timestamp) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = u64::try_from(now.unix_micros() / 1_000_000).ok()?;
    let step = t / STEP_SECONDS;
    let mut found = None;
    for s in [step.saturating_sub(1), step, step + 1] {
        let expected = totp(secret).generate(s * STEP_SECONDS);
        // Every candidate is compared, in constant time, whatever matched before.
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            found = Some(s);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The code a TOTP app shows for `secret_base32` at `now` (for tests, and a check after enrolment).
pub fn code_at(secret_base32: &str, now: Timestamp) -> Option<String> {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    let t = u64::try_from(now.unix_micros() / 1_000_000).ok()?;
    Some(totp(&secret).generate(t))
}

/// Whether the second factor is on, and what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TwoFaStatus {
    pub enabled: bool,
    pub recovery_codes_left: usize,
}

pub fn status(config: &Config) -> Result<TwoFaStatus, AppError> {
    Ok(match read_file(config)? {
        Some(f) => TwoFaStatus { enabled: true, recovery_codes_left: f.recovery.iter().filter(|r| !r.used).count() },
        None => TwoFaStatus { enabled: false, recovery_codes_left: 0 },
    })
}

/// A second factor being set up: shown to the user (QR code, URI, secret), turned on by [`confirm`].
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Enrolment {
    /// `otpauth://totp/Offramp:ledger?secret=...` for an authenticator app.
    pub uri: String,
    /// The secret in base32, to type into an app instead of scanning.
    pub secret_base32: String,
    /// The URI as a QR code, an SVG image.
    pub qr_svg: String,
    /// The URI as a QR code drawn with block characters (for a terminal).
    pub qr_text: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

/// Starts turning the second factor on: a new TOTP secret to show. Nothing is written until [`confirm`].
pub fn begin(config: &Config) -> Result<Enrolment, AppError> {
    if read_file(config)?.is_some() {
        return Err(AppError::new(ErrorCode::InvalidInput, "The second factor is already on."));
    }
    let secret: [u8; TOTP_SECRET_BYTES] = random()?;
    enrolment_of(&totp(&secret).get_secret_base32())
}

/// The enrolment of a TOTP secret given in base32 (one begun earlier, kept until confirmed).
pub fn enrolment_of(secret_base32: &str) -> Result<Enrolment, AppError> {
    let bytes = totp_rs::Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|_| AppError::new(ErrorCode::InvalidInput, "the enrolment's secret is not base32"))?;
    if bytes.len() != TOTP_SECRET_BYTES {
        return Err(AppError::new(ErrorCode::InvalidInput, "the enrolment's secret has the wrong length"));
    }
    let secret_base32 = secret_base32.to_string();
    let uri = format!(
        "otpauth://totp/Offramp:ledger?secret={secret_base32}&issuer=Offramp&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    );
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let qr_svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).build();
    let qr_text = qr.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build();
    Ok(Enrolment { uri, secret_base32, qr_svg, qr_text })
}

/// Turns the second factor on once the user's app shows a right code for the enrolment: the secrets go to the
/// keyring, ten recovery codes are made (returned, shown once), and the ledger is re-keyed to need the device
/// secret. Needs the ledger closed everywhere (it is re-written); returns it open again, under its new key.
pub fn confirm(
    config: &Config,
    passphrase: &Passphrase,
    enrolment: &Enrolment,
    code: &str,
    now: Timestamp,
    store: &dyn SecretStore,
) -> Result<(Vec<String>, Session), AppError> {
    if read_file(config)?.is_some() {
        return Err(AppError::new(ErrorCode::InvalidInput, "The second factor is already on."));
    }
    let totp_secret = totp_rs::Secret::Encoded(enrolment.secret_base32.clone())
        .to_bytes()
        .map_err(|_| AppError::new(ErrorCode::InvalidInput, "the enrolment's secret is not base32"))?;
    let step = code_step(&totp_secret, code, now).ok_or_else(|| {
        AppError::new(ErrorCode::WrongCode, "That code is not the one your app shows now: check the app and try again.")
    })?;
    // The passphrase must open the ledger as it is.
    drop(crate::unlock::unlock(config, &Key::Passphrase(passphrase.clone()), now)?);
    let secrets = Secrets { device: Secret32::new(random()?), totp: Zeroizing::new(totp_secret) };
    let id = hex(&random::<16>()?);
    store.set(&id, &secrets.to_bytes())?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect::<Result<_, _>>()?;
    let recovery = codes.iter().map(|c| seal(c, &secrets)).collect::<Result<_, _>>()?;
    let mut f = TwoFaFile { version: 1, state: State::Enrolling, id: id.clone(), last_step: step, recovery };
    write_file(config, &f)?;
    let path = config.ledger_path()?;
    let with = Key::WithDeviceSecret(passphrase.clone(), secrets.device.clone());
    if let Err(e) = offramp_store::rekey(&path, &Key::Passphrase(passphrase.clone()), &with) {
        // Undo: the ledger is still under its old key.
        let _ = std::fs::remove_file(file_path(config)?);
        let _ = store.delete(&id);
        return Err(e.into());
    }
    f.state = State::On;
    write_file(config, &f)?;
    Ok((codes, Session::open(config, &with)?))
}

/// The secrets, from the keyring, or from a recovery copy when `code` is a recovery code (which is then used up,
/// and the secrets are put back into the keyring). Returns the secrets and whether a recovery code was used.
fn secrets_for(f: &mut TwoFaFile, code: &str, store: &dyn SecretStore) -> Result<(Secrets, bool), AppError> {
    if looks_like_recovery_code(code) {
        for r in f.recovery.iter_mut().filter(|r| !r.used) {
            if let Some(s) = open_sealed(code, r) {
                r.used = true;
                // A keyring that works gets the secrets back (a new machine); without one the code still unlocks.
                let _ = store.set(&f.id, &s.to_bytes());
                return Ok((s, true));
            }
        }
        return Err(AppError::new(
            ErrorCode::WrongCode,
            "That recovery code is not one of yours, or was used already.",
        ));
    }
    match store.get(&f.id)? {
        Some(bytes) => Secrets::from_bytes(&bytes)
            .map(|s| (s, false))
            .ok_or_else(|| AppError::new(ErrorCode::LedgerCorrupt, "the keyring's second-factor entry is damaged")),
        None => Err(AppError::new(
            ErrorCode::SecondFactorMissing,
            "This machine's keyring has no second-factor secret for this ledger (a new machine, or a reinstalled \
             system?): unlock with one of your recovery codes instead of a code from your app.",
        )),
    }
}

/// Checks a code (TOTP, or recovery) for a ledger with the second factor on: the secrets it gives access to. A
/// TOTP code of a time step already used is refused (no replay within its window). Failures are counted with
/// the wrong passphrases (the same waits).
fn check_code(
    config: &Config,
    f: &mut TwoFaFile,
    code: &str,
    now: Timestamp,
    store: &dyn SecretStore,
) -> Result<Secrets, AppError> {
    let (secrets, recovery) = secrets_for(f, code, store)?;
    if !recovery {
        match code_step(&secrets.totp, code, now) {
            Some(step) if step > f.last_step => f.last_step = step,
            Some(_) => {
                return Err(AppError::new(
                    ErrorCode::WrongCode,
                    "That code was used already: wait for the next one in your app.",
                ))
            }
            None => return Err(AppError::new(ErrorCode::WrongCode, "Wrong authentication code.")),
        }
    }
    write_file(config, f)?;
    Ok(secrets)
}

/// Unlocks the ledger: with the passphrase alone when the second factor is off; with the passphrase and a code
/// (from the app, or a recovery code) when it is on. Every failure counts toward the waits of
/// `offramp_app::unlock` and says only what failed.
pub fn unlock(
    config: &Config,
    passphrase: Passphrase,
    code: Option<&str>,
    now: Timestamp,
    store: &dyn SecretStore,
) -> Result<Session, AppError> {
    let Some(mut f) = read_file(config)? else {
        return crate::unlock::unlock(config, &Key::Passphrase(passphrase), now);
    };
    let wait = crate::unlock::wait_seconds(config, now)?;
    if wait > 0 {
        return Err(AppError::new(
            ErrorCode::UnlockDelayed,
            format!("Too many failed attempts in a row: wait {wait} s before the next try."),
        ));
    }
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(AppError::new(ErrorCode::CodeRequired, "The second factor is on: give the code your app shows."));
    };
    let secrets = match check_code(config, &mut f, code, now, store) {
        Ok(s) => s,
        Err(e) => {
            if matches!(e.code, ErrorCode::WrongCode) {
                crate::unlock::count_failure(config, now);
            }
            return Err(e);
        }
    };
    let with = Key::WithDeviceSecret(passphrase.clone(), secrets.device.clone());
    match crate::unlock::unlock(config, &with, now) {
        Ok(s) => {
            if f.state == State::Enrolling {
                f.state = State::On;
                write_file(config, &f)?;
            }
            Ok(s)
        }
        Err(e) if e.code == ErrorCode::WrongKey => {
            // Not under the device key: an enrolment that did not finish, or a backup from before it restored.
            // The passphrase alone must open it then, and the ledger is put under the device key again.
            match Session::open(config, &Key::Passphrase(passphrase.clone())) {
                Ok(s) => {
                    drop(s);
                    offramp_store::rekey(&config.ledger_path()?, &Key::Passphrase(passphrase), &with)?;
                    f.state = State::On;
                    write_file(config, &f)?;
                    Session::open(config, &with)
                }
                Err(_) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Checks the code for a sensitive action (turning the second factor off, restoring a backup) when the second
/// factor is on; nothing to check when it is off. Returns the device secret (to build the ledger's key).
pub fn verify(
    config: &Config,
    code: Option<&str>,
    now: Timestamp,
    store: &dyn SecretStore,
) -> Result<Option<Secret32>, AppError> {
    let Some(mut f) = read_file(config)? else { return Ok(None) };
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(AppError::new(ErrorCode::CodeRequired, "The second factor is on: give the code your app shows."));
    };
    match check_code(config, &mut f, code, now, store) {
        Ok(s) => Ok(Some(s.device)),
        Err(e) => {
            if matches!(e.code, ErrorCode::WrongCode) {
                crate::unlock::count_failure(config, now);
            }
            Err(e)
        }
    }
}

/// Turns the second factor off (a sensitive action: the code is asked): the ledger is re-keyed to the passphrase
/// alone, the keyring entry and the recovery copies are removed.
pub fn disable(
    config: &Config,
    passphrase: Passphrase,
    code: &str,
    now: Timestamp,
    store: &dyn SecretStore,
) -> Result<(), AppError> {
    let f = read_file(config)?.ok_or_else(|| AppError::new(ErrorCode::InvalidInput, "The second factor is off."))?;
    let device = verify(config, Some(code), now, store)?
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, "The second factor is off."))?;
    let with = Key::WithDeviceSecret(passphrase.clone(), device);
    offramp_store::rekey(&config.ledger_path()?, &with, &Key::Passphrase(passphrase))?;
    std::fs::remove_file(file_path(config)?)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot remove the second factor's file: {e}")))?;
    store.delete(&f.id)?;
    Ok(())
}

/// The device secret from this machine's keyring, when the second factor is on and the keyring has it.
pub(crate) fn device_secret(config: &Config, store: &dyn SecretStore) -> Result<Option<Secret32>, AppError> {
    let Some(f) = read_file(config)? else { return Ok(None) };
    Ok(store.get(&f.id)?.and_then(|b| Secrets::from_bytes(&b)).map(|s| s.device))
}

/// The ledger's key for a passphrase, with the device secret when the second factor is on (a change of
/// passphrase, a restore).
pub(crate) fn key_with(passphrase: Passphrase, device: Option<Secret32>) -> Key {
    match device {
        Some(d) => Key::WithDeviceSecret(passphrase, d),
        None => Key::Passphrase(passphrase),
    }
}

/// The keyring entry that keeps a second factor being set up by the CLI between `2fa enable` and `2fa confirm`.
pub fn pending_id(config: &Config) -> Result<String, AppError> {
    use sha2::Digest;
    let path = config.ledger_path()?;
    Ok(format!("pending-{}", hex(&sha2::Sha256::digest(path.to_string_lossy().as_bytes())[..16])))
}

/// The folder-relative path of the second factor's file, for docs and tests.
pub fn file_of(ledger: &Path) -> PathBuf {
    let mut s = ledger.as_os_str().to_owned();
    s.push(".2fa");
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flavor;

    const PASS: &str = "correct horse battery staple lamp";

    fn at(s: i64) -> Timestamp {
        Timestamp::from_unix_micros(1_800_000_000_000_000 + s * 1_000_000)
    }

    fn setup() -> (tempfile::TempDir, Config) {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        drop(crate::unlock::create_ledger(&config, PASS.into()).unwrap());
        (tmp, config)
    }

    #[test]
    fn codes_at_the_window_edges_are_accepted_and_outside_refused() {
        let secret = [7u8; 20];
        let t = at(0);
        let step = (t.unix_micros() / 1_000_000) as u64 / STEP_SECONDS;
        let code = |s: u64| totp(&secret).generate(s * STEP_SECONDS);
        for (s, ok) in [(step - 2, false), (step - 1, true), (step, true), (step + 1, true), (step + 2, false)] {
            assert_eq!(code_step(&secret, &code(s), t), ok.then_some(s), "step {s} vs {step}");
        }
        assert_eq!(code_step(&secret, "12345", t), None);
        assert_eq!(code_step(&secret, "abcdef", t), None);
        // RFC 6238's SHA-1 test vector (secret "12345678901234567890", T = 59 s): 94287082, 6 digits 287082.
        let rfc = b"12345678901234567890";
        assert_eq!(totp(rfc).generate(59), "287082");
    }

    #[test]
    fn enrol_unlock_replay_recover_disable() {
        let (_tmp, config) = setup();
        let store = MemoryStore::default();
        let e = begin(&config).unwrap();
        assert!(e.uri.starts_with("otpauth://totp/Offramp:ledger?secret=") && e.qr_svg.starts_with("<?xml"));
        let wrong = confirm(&config, &PASS.into(), &e, "000000", at(0), &store).unwrap_err();
        assert_eq!(wrong.code, ErrorCode::WrongCode);
        let (codes, session) =
            confirm(&config, &PASS.into(), &e, &code_at(&e.secret_base32, at(0)).unwrap(), at(0), &store).unwrap();
        drop(session);
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(status(&config).unwrap(), TwoFaStatus { enabled: true, recovery_codes_left: 10 });

        // The passphrase alone opens nothing now, with or without the app layer's help.
        assert_eq!(Session::open(&config, &Key::Passphrase(PASS.into())).unwrap_err().code, ErrorCode::WrongKey);
        assert_eq!(unlock(&config, PASS.into(), None, at(40), &store).unwrap_err().code, ErrorCode::CodeRequired);
        let now_code = code_at(&e.secret_base32, at(40)).unwrap();
        unlock(&config, PASS.into(), Some(&now_code), at(40), &store).unwrap();
        // The same code again, inside its window: refused.
        let again = unlock(&config, PASS.into(), Some(&now_code), at(45), &store).unwrap_err();
        assert_eq!(again.code, ErrorCode::WrongCode);
        assert!(again.message.contains("used already"), "{}", again.message);
        // A wrong passphrase with a right code: wrong key (and the code is spent: replay protection).
        let next = code_at(&e.secret_base32, at(70)).unwrap();
        assert_eq!(unlock(&config, "nope".into(), Some(&next), at(70), &store).unwrap_err().code, ErrorCode::WrongKey);

        // A new machine: the keyring is empty. A recovery code unlocks once, and puts the secrets back.
        let new_machine = MemoryStore::default();
        let code = code_at(&e.secret_base32, at(130)).unwrap();
        let missing = unlock(&config, PASS.into(), Some(&code), at(130), &new_machine).unwrap_err();
        assert_eq!(missing.code, ErrorCode::SecondFactorMissing);
        unlock(&config, PASS.into(), Some(&codes[3]), at(200), &new_machine).unwrap();
        assert_eq!(status(&config).unwrap().recovery_codes_left, 9);
        let reused = unlock(&config, PASS.into(), Some(&codes[3]), at(260), &new_machine).unwrap_err();
        assert_eq!(reused.code, ErrorCode::WrongCode, "a recovery code works once");
        let code = code_at(&e.secret_base32, at(320)).unwrap();
        unlock(&config, PASS.into(), Some(&code), at(320), &new_machine).unwrap();

        // Turning it off asks for a code; afterwards the passphrase alone opens the ledger again.
        assert_eq!(
            disable(&config, PASS.into(), "000000", at(400), &new_machine).unwrap_err().code,
            ErrorCode::WrongCode
        );
        let code = code_at(&e.secret_base32, at(460)).unwrap();
        disable(&config, PASS.into(), &code, at(460), &new_machine).unwrap();
        assert!(!status(&config).unwrap().enabled);
        assert!(new_machine.get(&"x".repeat(32)).unwrap().is_none());
        unlock(&config, PASS.into(), None, at(500), &new_machine).unwrap();
    }

    #[test]
    fn an_enrolment_killed_before_the_rekey_still_opens_and_finishes() {
        let (_tmp, config) = setup();
        let store = MemoryStore::default();
        let e = begin(&config).unwrap();
        // What a kill between writing the file and re-keying leaves: the file says "enrolling", the ledger is
        // still under the passphrase alone.
        let secret = totp_rs::Secret::Encoded(e.secret_base32.clone()).to_bytes().unwrap();
        let secrets = Secrets { device: Secret32::new([5; 32]), totp: Zeroizing::new(secret) };
        store.set("id", &secrets.to_bytes()).unwrap();
        write_file(
            &config,
            &TwoFaFile { version: 1, state: State::Enrolling, id: "id".into(), last_step: 0, recovery: vec![] },
        )
        .unwrap();
        let code = code_at(&e.secret_base32, at(0)).unwrap();
        unlock(&config, PASS.into(), Some(&code), at(0), &store).unwrap();
        // Finished: now under the device key.
        assert_eq!(Session::open(&config, &Key::Passphrase(PASS.into())).unwrap_err().code, ErrorCode::WrongKey);
        Session::open(&config, &Key::WithDeviceSecret(PASS.into(), Secret32::new([5; 32]))).unwrap();
    }
}
