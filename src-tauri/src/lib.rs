//! Offramp's desktop shell. Each command (in `commands`) is a few lines that call the application layer
//! (`offramp-app`); errors reach the UI as `{code, message}` (the serialized [`AppError`]).
//!
//! The shell holds one [`Session`] while the ledger is unlocked (`unlock`, `create_ledger`; `lock` drops it).
//! Every command runs off the main thread; long ones (import, reports) report progress as `job-progress` events
//! and stop when `cancel_job` is called with their job id. A panic anywhere in a command becomes an `INTERNAL`
//! error in the window, never a dead app.

#[cfg(test)]
mod command_names;
mod commands;
mod memory;
mod os_lock;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use offramp_app::{AppError, Config, ErrorCode, Flavor, Session};
use serde::Serialize;
use tauri::{AppHandle, Builder, Emitter, Runtime};

/// What the shell keeps between commands.
pub struct Shell {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    session: Mutex<Option<Session>>,
    /// Where the second factor's secrets are kept (the system keyring; memory in tests).
    store: Option<Arc<dyn offramp_app::twofa::SecretStore>>,
    /// A second factor being set up (shown to the user until it is confirmed).
    pub(crate) enrolment: Mutex<Option<offramp_app::twofa::Enrolment>>,
    /// When the user last did something (wall-clock time: a machine asleep longer than the idle time locks when
    /// it wakes), and after how many idle minutes the ledger locks itself.
    last_activity: Mutex<std::time::SystemTime>,
    pub(crate) auto_lock_minutes: std::sync::atomic::AtomicU32,
    /// Cancel flags of the long commands running now, by job id.
    jobs: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl Shell {
    /// The shell with the system keyring for the second factor.
    pub fn new(config: Config) -> Shell {
        Shell::build(config, None)
    }

    /// The shell with a given secret store (tests use one in memory).
    pub fn with_store(config: Config, store: Arc<dyn offramp_app::twofa::SecretStore>) -> Shell {
        Shell::build(config, Some(store))
    }

    fn build(config: Config, store: Option<Arc<dyn offramp_app::twofa::SecretStore>>) -> Shell {
        Shell {
            inner: Arc::new(Inner {
                config,
                session: Mutex::new(None),
                store,
                enrolment: Mutex::new(None),
                last_activity: Mutex::new(std::time::SystemTime::now()),
                auto_lock_minutes: std::sync::atomic::AtomicU32::new(DEFAULT_AUTO_LOCK_MINUTES),
                jobs: Mutex::new(HashMap::new()),
            }),
        }
    }
}

/// The idle time after which the ledger locks itself, unless the user sets another (Settings).
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 10;
/// After this long without use, the history kept for reports is dropped (it is loaded again when needed).
pub const RELEASE_CACHE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);
/// The longest idle time the user may set.
pub const MAX_AUTO_LOCK_MINUTES: u32 = 240;

/// The desktop app's own preferences, `<data folder>/desktop.json` (0600).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct Preferences {
    auto_lock_minutes: u32,
}

impl Inner {
    fn preferences_path(&self) -> Option<std::path::PathBuf> {
        self.config.data_dir().ok().map(|d| d.join("desktop.json"))
    }

    /// Reads the saved preferences (a missing or unreadable file leaves the defaults).
    pub(crate) fn load_preferences(&self) {
        let prefs = self
            .preferences_path()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<Preferences>(&b).ok());
        if let Some(p) = prefs {
            let minutes = p.auto_lock_minutes.clamp(1, MAX_AUTO_LOCK_MINUTES);
            self.auto_lock_minutes.store(minutes, Ordering::Relaxed);
        }
    }

    pub(crate) fn set_auto_lock(&self, minutes: u32) -> Result<u32, AppError> {
        if !(1..=MAX_AUTO_LOCK_MINUTES).contains(&minutes) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("auto-lock: {minutes} minutes is not between 1 and {MAX_AUTO_LOCK_MINUTES}"),
            ));
        }
        self.auto_lock_minutes.store(minutes, Ordering::Relaxed);
        if let Some(p) = self.preferences_path() {
            let bytes = serde_json::to_vec(&Preferences { auto_lock_minutes: minutes })
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            if let Some(dir) = p.parent() {
                if dir.is_dir() {
                    offramp_app::files::replace(&p, &bytes)?;
                }
            }
        }
        Ok(minutes)
    }

    /// The user did something: the idle clock starts again.
    pub(crate) fn touch(&self) {
        *lock(&self.last_activity) = std::time::SystemTime::now();
    }

    /// Locks the ledger if it has been idle longer than the auto-lock time at `now`; true if it did.
    pub(crate) fn lock_if_idle(&self, now: std::time::SystemTime) -> bool {
        let idle = now.duration_since(*lock(&self.last_activity)).unwrap_or_default();
        let limit = std::time::Duration::from_secs(u64::from(self.auto_lock_minutes.load(Ordering::Relaxed)) * 60);
        if idle < limit {
            return false;
        }
        self.lock_now()
    }

    /// Drops what the session keeps for reports once the user has been idle for [`RELEASE_CACHE_AFTER`] at `now`,
    /// so an app left open holds little memory; true if it did. Skipped while a command holds the session.
    pub(crate) fn release_if_idle(&self, now: std::time::SystemTime) -> bool {
        let idle = now.duration_since(*lock(&self.last_activity)).unwrap_or_default();
        if idle < RELEASE_CACHE_AFTER {
            return false;
        }
        let released = match self.session.try_lock() {
            Ok(session) => session.as_ref().is_some_and(|s| s.release_cache()),
            Err(_) => false,
        };
        if released {
            memory::give_back();
        }
        released
    }

    /// Locks the ledger now (the session and its keys are dropped); true if it was unlocked.
    pub(crate) fn lock_now(&self) -> bool {
        let locked = lock(&self.session).take().is_some();
        if locked {
            memory::give_back();
        }
        locked
    }
}

impl Inner {
    /// The secret store: the one given, else the system keyring (reached only when needed).
    pub(crate) fn secrets(&self) -> Result<Arc<dyn offramp_app::twofa::SecretStore>, AppError> {
        match &self.store {
            Some(s) => Ok(s.clone()),
            None => Ok(Arc::new(offramp_app::twofa::SystemKeyring::connect()?)),
        }
    }

    /// The secret store when the second factor is on (else one in memory, unused).
    pub(crate) fn secrets_if_on(&self) -> Result<Arc<dyn offramp_app::twofa::SecretStore>, AppError> {
        if offramp_app::twofa::status(&self.config)?.enabled {
            self.secrets()
        } else {
            Ok(Arc::new(offramp_app::twofa::MemoryStore::default()))
        }
    }

    pub(crate) fn pending_enrolment(&self) -> MutexGuard<'_, Option<offramp_app::twofa::Enrolment>> {
        lock(&self.enrolment)
    }
}

/// A lock that a panic while it was held does not make unusable (the data it guards is left consistent by the
/// application layer: a write that did not finish was rolled back).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inner {
    /// Runs `f` on the unlocked ledger, or says it is locked. Using the ledger counts as activity.
    pub(crate) fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, AppError>) -> Result<T, AppError> {
        self.touch();
        let mut guard = lock(&self.session);
        match guard.as_mut() {
            Some(s) => f(s),
            None => Err(AppError::new(
                ErrorCode::LedgerLocked,
                "The ledger is locked: unlock it with your passphrase first.",
            )),
        }
    }

    /// Runs `f` with the session slot itself (unlock, lock, restore replace it).
    pub(crate) fn with_slot<T>(
        &self,
        f: impl FnOnce(&mut Option<Session>) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.touch();
        f(&mut lock(&self.session))
    }

    pub(crate) fn is_unlocked(&self) -> bool {
        lock(&self.session).is_some()
    }
}

/// One progress report of a long command, as the UI receives it (`job-progress` events).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(serde::Deserialize, ts_rs::TS))]
pub struct JobProgress {
    pub job: String,
    pub done: u64,
    pub total: u64,
}

/// The progress callback of job `job`: emits `job-progress` events (at most every 1/100 of the way, and at the
/// end) and returns `false` once the job is cancelled.
pub(crate) fn job_progress<R: Runtime>(
    app: &AppHandle<R>,
    inner: &Inner,
    job: &str,
) -> impl FnMut(u64, u64) -> bool + use<R> {
    let cancel = Arc::new(AtomicBool::new(false));
    lock(&inner.jobs).insert(job.to_string(), cancel.clone());
    let (app, job) = (app.clone(), job.to_string());
    let mut last = 0u64;
    move |done, total| {
        let step = (total / 100).max(1);
        if done == total || done >= last + step || done < last {
            last = done;
            let _ = app.emit("job-progress", JobProgress { job: job.clone(), done, total });
        }
        !cancel.load(Ordering::Relaxed)
    }
}

pub(crate) fn end_job(inner: &Inner, job: &str) {
    lock(&inner.jobs).remove(job);
}

/// Asks a running long command to stop; it ends with `CANCELLED` and changes nothing. False if no such job runs.
pub(crate) fn cancel_job(inner: &Inner, job: &str) -> bool {
    match lock(&inner.jobs).get(job) {
        Some(flag) => {
            flag.store(true, Ordering::Relaxed);
            true
        }
        None => false,
    }
}

/// Runs `f` on a blocking thread (never the window's), turning a panic into an `INTERNAL` error.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    match tauri::async_runtime::spawn_blocking(move || catch_unwind(AssertUnwindSafe(f))).await {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(panicked(panic)),
        Err(e) => Err(AppError::new(ErrorCode::Internal, format!("the command could not run: {e}"))),
    }
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> AppError {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    AppError::new(
        ErrorCode::Internal,
        format!("Offramp hit a bug and stopped this action ({what}). Nothing was changed; please report it."),
    )
}

/// Adds Offramp's state and commands to a builder. Generic over the runtime so tests can use `tauri::test`'s
/// mock runtime with the very same commands.
pub fn with_commands<R: Runtime>(builder: Builder<R>, config: Config) -> Builder<R> {
    with_shell(builder, Shell::new(config))
}

/// As [`with_commands`], with a shell made by the caller (tests give it a secret store in memory).
pub fn with_shell<R: Runtime>(builder: Builder<R>, shell: Shell) -> Builder<R> {
    shell.inner.load_preferences();
    let inner = shell.share();
    builder.manage(shell).invoke_handler(commands::handler()).setup(move |app| {
        start_locks(app.handle(), inner)?;
        Ok(())
    })
}

/// Starts what locks the ledger by itself and tells the window (`session-locked`): every few seconds, a check
/// for a ledger idle longer than the user's auto-lock time; and the system's sleep and screen-lock signals
/// (os_lock).
pub(crate) fn start_locks<R: Runtime>(app: &AppHandle<R>, inner: Arc<Inner>) -> std::io::Result<()> {
    let handle = app.clone();
    let idle = inner.clone();
    std::thread::Builder::new().name("auto-lock".into()).spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(5));
        let now = std::time::SystemTime::now();
        if idle.lock_if_idle(now) {
            let _ = handle.emit("session-locked", "idle");
        } else {
            idle.release_if_idle(now);
        }
    })?;
    let handle = app.clone();
    let on_lock: Arc<dyn Fn(&'static str) + Send + Sync> = Arc::new(move |why| {
        if inner.lock_now() {
            let _ = handle.emit("session-locked", why);
        }
    });
    std::thread::Builder::new().name("os-lock".into()).spawn(move || {
        os_lock::watch(on_lock);
    })?;
    Ok(())
}

/// WebKitGTK composites pages with OpenGL. Without a GPU (a virtual machine, a remote desktop, Xvfb) that OpenGL
/// is Mesa's software renderer, which costs the web process about 70 MB more and makes frames take about 200 ms
/// instead of 16 while the transactions table scrolls (measured by benches/desktop.rs). So when the machine has no
/// GPU render node, compositing is turned off, unless the user's environment already chose
/// (`WEBKIT_DISABLE_COMPOSITING_MODE`). Call before any thread starts.
pub fn choose_rendering() {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
        if std::env::var_os(VAR).is_some() {
            return;
        }
        let gpu = std::fs::read_dir("/dev/dri")
            .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
            .unwrap_or(false);
        if !gpu {
            std::env::set_var(VAR, "1");
        }
    }
}

/// Starts the desktop app. The data folder comes from `OFFRAMP_DATA_DIR` or the per-user data folder
/// (`offramp-dev` for debug builds).
pub fn run() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Commands catch their panics and show them as errors; this keeps the details for a bug report.
        eprintln!("Offramp: a bug was caught: {info}");
        default_hook(info);
    }));
    let config = Config::from_env(Flavor::of_this_build(), None);
    let builder = Builder::default().plugin(tauri_plugin_dialog::init());
    if let Err(e) = with_commands(builder, config).run(tauri::generate_context!()) {
        eprintln!("Offramp could not start its window: {e}");
        std::process::exit(1);
    }
}

impl Shell {
    pub(crate) fn share(&self) -> Arc<Inner> {
        self.inner.clone()
    }
}

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod tests;
