//! Creating and unlocking the ledger, and changing its passphrase.
//!
//! - A new passphrase must be strong: zxcvbn's estimate (a score of at least 3 of 4: about 10^10 guesses or more,
//!   which against Argon2id's cost per guess is out of reach) and at least 12 characters; a weak one is refused
//!   with the estimator's reason (`WEAK_PASSPHRASE`).
//! - Wrong passphrases are counted in `<ledger>.attempts` (kept across restarts): after three in a row, each further
//!   attempt must wait, twice as long each time (5 s, 10 s, 20 s, ... at most 15 minutes), and is refused without
//!   trying the key until then (`UNLOCK_DELAYED`). A wrong passphrase says only that it is wrong.

use std::path::{Path, PathBuf};

use offramp_core::Timestamp;
use offramp_store::{Key, Passphrase};
use serde::{Deserialize, Serialize};

use crate::{AppError, Config, ErrorCode, Session};

/// The shortest passphrase accepted for a new ledger.
pub const MIN_LENGTH: usize = 12;
/// Wrong attempts allowed before each further one must wait.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest wait between attempts, in seconds.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;

/// What the estimator says of a passphrase (for a strength meter, and the reason of a refusal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Strength {
    /// 0 (guessed at once) to 4 (out of reach), zxcvbn's score.
    pub score: u8,
    /// Whether a new ledger may be created with it.
    pub acceptable: bool,
    /// Why it is weak, and how to make it stronger (empty when it is strong).
    pub warning: Option<String>,
    pub suggestions: Vec<String>,
}

/// Estimates a passphrase's strength. `context` holds words the user's passphrase must not lean on (the app's
/// name, the user's name where known).
pub fn strength(passphrase: &str, context: &[&str]) -> Strength {
    let mut inputs = vec!["offramp", "ledger", "bitcoin", "crypto"];
    inputs.extend_from_slice(context);
    let e = zxcvbn::zxcvbn(passphrase, &inputs);
    let score = e.score() as u8;
    let long_enough = passphrase.chars().count() >= MIN_LENGTH;
    let mut suggestions: Vec<String> =
        e.feedback().map(|f| f.suggestions().iter().map(|s| s.to_string()).collect()).unwrap_or_default();
    if !long_enough {
        suggestions.insert(0, format!("Use at least {MIN_LENGTH} characters (several unusual words work well)."));
    }
    Strength {
        score,
        acceptable: score >= 3 && long_enough,
        warning: e.feedback().and_then(|f| f.warning()).map(|w| w.to_string()),
        suggestions,
    }
}

fn check_new(passphrase: &Passphrase) -> Result<(), AppError> {
    let s = strength(passphrase.as_str(), &[]);
    if s.acceptable {
        return Ok(());
    }
    let mut why = vec![format!("the passphrase is too weak (strength {} of 4; at least 3 is needed)", s.score)];
    why.extend(s.warning);
    why.extend(s.suggestions);
    Err(AppError::new(ErrorCode::WeakPassphrase, why.join(". ").replace("..", ".")))
}

/// Creates a new encrypted ledger with a passphrase that must be strong (see the module).
pub fn create_ledger(config: &Config, passphrase: Passphrase) -> Result<Session, AppError> {
    check_new(&passphrase)?;
    Session::create(config, &Key::Passphrase(passphrase))
}

/// Wrong attempts so far, kept beside the ledger.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Attempts {
    failures: u32,
    /// When the last wrong attempt was made (microseconds since 1970).
    last_us: i64,
}

fn attempts_path(ledger: &Path) -> PathBuf {
    let mut s = ledger.as_os_str().to_owned();
    s.push(".attempts");
    PathBuf::from(s)
}

fn read_attempts(ledger: &Path) -> Attempts {
    std::fs::read(attempts_path(ledger)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn write_attempts(ledger: &Path, a: &Attempts) {
    let path = attempts_path(ledger);
    if a.failures == 0 {
        let _ = std::fs::remove_file(path);
        return;
    }
    if let Ok(bytes) = serde_json::to_vec(a) {
        let _ = offramp_store::files::write_replacing(&path, &bytes);
    }
}

/// How long to wait after `failures` wrong attempts in a row, in seconds.
pub fn delay_after(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(20);
    (5i64 << doublings).min(MAX_DELAY_SECONDS)
}

/// Seconds until the next attempt may be made (0: now).
pub fn wait_seconds(config: &Config, now: Timestamp) -> Result<i64, AppError> {
    let a = read_attempts(&config.ledger_path()?);
    let until = a.last_us.saturating_add(delay_after(a.failures).saturating_mul(1_000_000));
    Ok(((until - now.unix_micros()).max(0) + 999_999) / 1_000_000)
}

/// Opens the ledger with `key`, counting wrong attempts (see the module). `now` is when the attempt is made.
pub fn unlock(config: &Config, key: &Key, now: Timestamp) -> Result<Session, AppError> {
    let path = config.ledger_path()?;
    let wait = wait_seconds(config, now)?;
    if wait > 0 {
        return Err(AppError::new(
            ErrorCode::UnlockDelayed,
            format!("Too many wrong passphrases in a row: wait {wait} s before the next try."),
        ));
    }
    match Session::open(config, key) {
        Ok(s) => {
            write_attempts(&path, &Attempts::default());
            Ok(s)
        }
        Err(e) if e.code == ErrorCode::WrongKey => {
            let delay = count_failure(config, now);
            let next = if delay > 0 { format!(" Wait {delay} s before the next try.") } else { String::new() };
            Err(AppError::new(
                ErrorCode::WrongKey,
                format!("Wrong passphrase (or this file is not your ledger).{next}"),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Counts a failed attempt (a wrong passphrase or code) at `now`; returns the wait before the next one.
pub(crate) fn count_failure(config: &Config, now: Timestamp) -> i64 {
    let Ok(path) = config.ledger_path() else { return 0 };
    let mut a = read_attempts(&path);
    a.failures = a.failures.saturating_add(1);
    a.last_us = now.unix_micros();
    write_attempts(&path, &a);
    delay_after(a.failures)
}

/// Changes the ledger's passphrase (the new one must be strong): the ledger is re-written under a key derived
/// from the new passphrase (Argon2id, a new salt), while no other window or command has it open. Every row is
/// kept; the old passphrase no longer opens it. A ledger made before Argon2id is moved to it. With the second
/// factor on, `code` is asked (a sensitive action) and the device secret stays part of the key.
pub fn change_passphrase(
    config: &Config,
    old: Passphrase,
    new: Passphrase,
    code: Option<&str>,
    now: Timestamp,
    store: &dyn crate::twofa::SecretStore,
) -> Result<(), AppError> {
    check_new(&new)?;
    let device = crate::twofa::verify(config, code, now, store)?;
    let old_key = crate::twofa::key_with(old, device.clone());
    // The old passphrase is checked (and counted) as at unlock; the session is closed before re-keying.
    drop(unlock(config, &old_key, now)?);
    offramp_store::rekey(&config.ledger_path()?, &old_key, &crate::twofa::key_with(new, device))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flavor;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_unix_micros(1_800_000_000_000_000 + s * 1_000_000)
    }

    #[test]
    fn weak_passphrases_are_refused_with_the_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        for weak in ["pw", "password123456", "offrampofframp", "qwertyuiopasdf"] {
            let e = create_ledger(&config, weak.into()).unwrap_err();
            assert_eq!(e.code, ErrorCode::WeakPassphrase, "{weak}");
            assert!(e.message.contains("too weak"), "{}", e.message);
        }
        assert!(!config.ledger_path().unwrap().exists());
        assert!(strength("correct horse battery staple lamp", &[]).acceptable);
        assert!(!strength("Tr0ub4dour&3", &[]).acceptable, "short and common substitutions");
        create_ledger(&config, "correct horse battery staple lamp".into()).unwrap();
    }

    #[test]
    fn wrong_passphrases_make_the_next_attempt_wait_across_restarts() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        let right = Key::Passphrase("correct horse battery staple lamp".into());
        drop(create_ledger(&config, "correct horse battery staple lamp".into()).unwrap());
        let wrong = Key::Passphrase("not it".into());
        for i in 0..3 {
            let e = unlock(&config, &wrong, t(i)).unwrap_err();
            assert_eq!(e.code, ErrorCode::WrongKey);
            assert!(!e.message.contains("correct"), "no hint about the content");
        }
        // The third failure: the next try waits 5 s, even with the right passphrase, and is not even tried.
        let e = unlock(&config, &right, t(2)).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnlockDelayed, "{}", e.message);
        assert!(e.message.contains("wait 5 s"), "{}", e.message);
        // "Restart": nothing is kept in memory; the file beside the ledger remembers.
        assert_eq!(wait_seconds(&config, t(2)).unwrap(), 5);
        assert_eq!(wait_seconds(&config, t(6)).unwrap(), 1);
        assert_eq!(unlock(&config, &wrong, t(7)).unwrap_err().code, ErrorCode::WrongKey);
        assert_eq!(wait_seconds(&config, t(7)).unwrap(), 10, "the wait doubles");
        assert_eq!(delay_after(40), MAX_DELAY_SECONDS);
        unlock(&config, &right, t(17)).unwrap();
        assert_eq!(wait_seconds(&config, t(17)).unwrap(), 0, "a success clears the count");
        assert!(!attempts_path(&config.ledger_path().unwrap()).exists());
    }

    #[test]
    fn changing_the_passphrase_keeps_the_ledger() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        let old = "correct horse battery staple lamp";
        let new = "purple elephant drives quietly home";
        let store = crate::twofa::MemoryStore::default();
        let mut s = create_ledger(&config, old.into()).unwrap();
        let csv = tmp.path().join("a.csv");
        std::fs::write(&csv, "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n2024-01-01T00:00:00Z,buy,A,10,USD,0.001,BTC\n").unwrap();
        s.import_files(&[csv], t(0), &mut crate::no_progress()).unwrap();
        // Not while it is open here.
        assert_eq!(
            change_passphrase(&config, old.into(), new.into(), None, t(1), &store).unwrap_err().code,
            ErrorCode::LedgerBusy
        );
        drop(s);
        assert_eq!(
            change_passphrase(&config, old.into(), "weak".into(), None, t(1), &store).unwrap_err().code,
            ErrorCode::WeakPassphrase
        );
        assert_eq!(
            change_passphrase(&config, "wrong".into(), new.into(), None, t(1), &store).unwrap_err().code,
            ErrorCode::WrongKey
        );
        change_passphrase(&config, old.into(), new.into(), None, t(2), &store).unwrap();
        assert_eq!(unlock(&config, &Key::Passphrase(old.into()), t(3)).unwrap_err().code, ErrorCode::WrongKey);
        assert_eq!(unlock(&config, &Key::Passphrase(new.into()), t(4)).unwrap().accounts().unwrap()[0].transactions, 1);
    }
}
