//! `settings`: report settings kept in the ledger.

use std::io::Write;

use clap::Subcommand;
use offramp_app::twofa::SecretStore;
use offramp_app::AppError;

use crate::Ctx;

#[derive(Subcommand, Debug)]
pub(crate) enum SettingsCommand {
    /// How the network fee of a move between your own accounts is treated in a jurisdiction's reports:
    /// `disposal` (default: the fee's units are sold for their value) or `basis` (the units that arrive keep the
    /// whole cost).
    TransferFee { jurisdiction: String, treatment: String },
    /// Your defaults: `jurisdiction` (us, uk, de, ca), `currency` (the fiat you sell into), `method` (US, per year
    /// if wanted: fifo,2023=hifo), `pooling` (transition or per-account).
    Set { name: String, value: String },
}

#[derive(Subcommand, Debug)]
pub(crate) enum PassphraseCommand {
    /// Change the ledger's passphrase (the ledger is re-written under the new key; every row is kept). The new one
    /// comes from --new-passphrase-file FILE or $OFFRAMP_NEW_PASSPHRASE (for scripts), else it is asked twice.
    Change {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<std::path::PathBuf>,
    },
    /// How strong a passphrase is (read as the new one is), and why.
    Check {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<std::path::PathBuf>,
    },
}

/// A new passphrase: from a file or `$OFFRAMP_NEW_PASSPHRASE` (scripts), else asked twice on the terminal.
pub(crate) fn new_passphrase(file: Option<&std::path::Path>) -> Result<offramp_app::Passphrase, AppError> {
    if let Some(f) = file {
        return crate::passphrase_from_file(f);
    }
    if let Ok(p) = std::env::var("OFFRAMP_NEW_PASSPHRASE") {
        if !p.is_empty() {
            return Ok(offramp_app::Passphrase::new(p));
        }
    }
    let missing = || {
        AppError::new(
            offramp_app::ErrorCode::PassphraseRequired,
            "A new passphrase is needed: run Offramp in a terminal to type it, or (for scripts) pass \
             --new-passphrase-file FILE or set OFFRAMP_NEW_PASSPHRASE.",
        )
    };
    let first = crate::prompt("New passphrase: ")?.ok_or_else(missing)?;
    let again = crate::prompt("The new passphrase again: ")?.ok_or_else(missing)?;
    if first.as_str() != again.as_str() {
        return Err(AppError::new(offramp_app::ErrorCode::InvalidInput, "The two passphrases are not the same."));
    }
    Ok(first)
}

pub(crate) fn passphrase(
    ctx: &Ctx,
    command: PassphraseCommand,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    match command {
        PassphraseCommand::Change { new_passphrase_file } => {
            let old = ctx.passphrase()?;
            let code = ctx.code()?;
            let new = new_passphrase(new_passphrase_file.as_deref())?;
            offramp_app::unlock::change_passphrase(
                &ctx.config,
                old,
                new,
                code.as_deref().map(String::as_str),
                offramp_app::clock::system_now(),
                &*crate::secret_store(&ctx.config),
            )?;
            Ok(writeln!(
                out,
                "Changed the ledger's passphrase; the old one no longer opens it. Backups made before \
                              still open with the old one."
            ))
        }
        PassphraseCommand::Check { new_passphrase_file } => {
            let p = new_passphrase(new_passphrase_file.as_deref())?;
            let s = offramp_app::unlock::strength(p.as_str(), &[]);
            Ok((|| {
                writeln!(
                    out,
                    "Strength {} of 4: {}",
                    s.score,
                    if s.acceptable { "strong enough" } else { "too weak" }
                )?;
                for line in s.warning.iter().chain(&s.suggestions) {
                    writeln!(out, "  {line}")?;
                }
                Ok(())
            })())
        }
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum TwoFaCommand {
    /// Turn it on: shows a QR code (and its otpauth URI) for your authenticator app, asks for the code it shows,
    /// then prints ten recovery codes, once. Needs the system keyring. Without a terminal (and without --code),
    /// it shows the QR code and waits for `offramp 2fa confirm --code CODE`.
    Enable,
    /// Finish turning it on with the code your app shows (after `offramp 2fa enable` without a terminal).
    Confirm,
    /// Turn it off (asks for a code).
    Disable,
    /// Whether it is on, and how many recovery codes are left.
    Status,
}

fn enable_with(
    ctx: &Ctx,
    passphrase: &offramp_app::Passphrase,
    e: &offramp_app::twofa::Enrolment,
    code: &str,
    store: &offramp_app::twofa::SystemKeyring,
    out: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let (codes, _) =
        offramp_app::twofa::confirm(&ctx.config, passphrase, e, code, offramp_app::clock::system_now(), store)?;
    Ok((|| {
        writeln!(out, "The second factor is on. Your recovery codes (each works once; keep them offline):")?;
        for c in &codes {
            writeln!(out, "  {c}")?;
        }
        writeln!(out, "Without your app or a recovery code, the ledger cannot be opened, even with the passphrase.")
    })())
}

pub(crate) fn two_fa(
    ctx: &Ctx,
    command: TwoFaCommand,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    use offramp_app::twofa;
    match command {
        TwoFaCommand::Status => {
            let s = twofa::status(&ctx.config)?;
            Ok(if s.enabled {
                writeln!(out, "Second factor: on; {} recovery codes left.", s.recovery_codes_left)
            } else {
                writeln!(out, "Second factor: off (offramp 2fa enable turns it on).")
            })
        }
        TwoFaCommand::Enable => {
            let store = twofa::SystemKeyring::connect()?;
            let passphrase = ctx.passphrase()?;
            let e = twofa::begin(&ctx.config)?;
            writeln!(out, "Scan this with your authenticator app (or enter the secret {}):", e.secret_base32)
                .and_then(|_| writeln!(out, "{}", e.qr_text))
                .and_then(|_| writeln!(out, "{}", e.uri))
                .and_then(|_| out.flush())
                .map_err(|e| AppError::new(offramp_app::ErrorCode::Io, e.to_string()))?;
            let code = match ctx.code_flag().or_else(|| std::env::var("OFFRAMP_CODE").ok()) {
                Some(c) => zeroize::Zeroizing::new(c),
                None => match crate::prompt("The code your app shows now: ")? {
                    Some(p) => zeroize::Zeroizing::new(p.as_str().to_string()),
                    None => {
                        // No terminal: keep the secret in the keyring until `2fa confirm`.
                        store.set(&twofa::pending_id(&ctx.config)?, e.secret_base32.as_bytes())?;
                        return Ok(writeln!(out, "Then run: offramp 2fa confirm --code CODE"));
                    }
                },
            };
            enable_with(ctx, &passphrase, &e, &code, &store, out)
        }
        TwoFaCommand::Confirm => {
            let store = twofa::SystemKeyring::connect()?;
            let passphrase = ctx.passphrase()?;
            let id = twofa::pending_id(&ctx.config)?;
            let secret = store.get(&id)?.ok_or_else(|| {
                AppError::new(offramp_app::ErrorCode::InvalidInput, "Nothing to confirm: run offramp 2fa enable first.")
            })?;
            let e = twofa::enrolment_of(&String::from_utf8_lossy(&secret))?;
            let code = ctx.code_flag().or_else(|| std::env::var("OFFRAMP_CODE").ok()).ok_or_else(|| {
                AppError::new(offramp_app::ErrorCode::CodeRequired, "Give the code your app shows: --code CODE.")
            })?;
            let done = enable_with(ctx, &passphrase, &e, &code, &store, out);
            if done.as_ref().is_ok_and(|r| r.is_ok()) {
                store.delete(&id)?;
            }
            done
        }
        TwoFaCommand::Disable => {
            let passphrase = ctx.passphrase()?;
            let code = ctx.code()?.unwrap_or_default();
            twofa::disable(
                &ctx.config,
                passphrase,
                &code,
                offramp_app::clock::system_now(),
                &*crate::secret_store(&ctx.config),
            )?;
            Ok(writeln!(out, "The second factor is off: the passphrase alone opens the ledger again."))
        }
    }
}

pub(crate) fn run(
    ctx: &Ctx,
    command: Option<SettingsCommand>,
    out: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let mut s = ctx.session()?;
    match command {
        Some(SettingsCommand::TransferFee { jurisdiction, treatment }) => {
            let set = s.set_transfer_fee(&jurisdiction, &treatment)?;
            Ok(writeln!(out, "Own-transfer fees in {} reports: {}.", set.jurisdiction, set.treatment))
        }
        Some(SettingsCommand::Set { name, value }) => {
            let mut p = s.preferences()?;
            match name.as_str() {
                "jurisdiction" => p.jurisdiction = offramp_app::settings::parse_jurisdiction("jurisdiction", &value)?,
                "currency" => p.currency = value,
                "method" => p.method = value,
                "pooling" => p.pooling = value,
                other => {
                    return Err(AppError::new(
                        offramp_app::ErrorCode::InvalidInput,
                        format!("setting: `{other}` is not jurisdiction, currency, method or pooling"),
                    ))
                }
            }
            let p = s.set_preferences(p)?;
            Ok(writeln!(
                out,
                "jurisdiction {}\ncurrency {}\nmethod {}\npooling {}",
                p.jurisdiction, p.currency, p.method, p.pooling
            ))
        }
        None => {
            let p = s.preferences()?;
            let head = format!(
                "jurisdiction {}\ncurrency {}\nmethod {}\npooling {}\n",
                p.jurisdiction, p.currency, p.method, p.pooling
            );
            if let Err(e) = out.write_all(head.as_bytes()) {
                return Ok(Err(e));
            }
            Ok(s.transfer_fees()?.iter().try_for_each(|t| {
                let how = if t.default { " (default)" } else { "" };
                writeln!(out, "transfer-fee {} {}{how}", t.jurisdiction, t.treatment)
            }))
        }
    }
}
