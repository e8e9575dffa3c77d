//! Locks the ledger when the system says it is going to sleep or the screen is being locked. On Linux these come
//! over D-Bus: logind's `PrepareForSleep(true)` and a login session's `Lock` on the system bus; the screensaver's
//! `ActiveChanged(true)` (freedesktop, GNOME, MATE, Cinnamon) on the session bus. Where a bus or a service is
//! missing (no systemd, a bare X session, a container) that source is simply not watched: the idle lock on the
//! wall clock still holds, and a machine that slept longer than the idle time locks the moment it wakes.

use std::sync::Arc;

use zbus::blocking::{Connection, MessageIterator};
use zbus::message::Type;
use zbus::MatchRule;

/// Which bus a signal comes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bus {
    System,
    Session,
}

/// A signal that may mean "lock now" (see [`means_lock`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source {
    pub bus: Bus,
    pub interface: &'static str,
    pub member: &'static str,
}

pub(crate) const SOURCES: &[Source] = &[
    Source { bus: Bus::System, interface: "org.freedesktop.login1.Manager", member: "PrepareForSleep" },
    Source { bus: Bus::System, interface: "org.freedesktop.login1.Session", member: "Lock" },
    Source { bus: Bus::Session, interface: "org.freedesktop.ScreenSaver", member: "ActiveChanged" },
    Source { bus: Bus::Session, interface: "org.gnome.ScreenSaver", member: "ActiveChanged" },
    Source { bus: Bus::Session, interface: "org.mate.ScreenSaver", member: "ActiveChanged" },
    Source { bus: Bus::Session, interface: "org.cinnamon.ScreenSaver", member: "ActiveChanged" },
];

/// Whether a signal `member` with boolean argument `flag` (none for `Lock`) means the ledger should lock: going
/// to sleep (not waking), the screen saver starting (not stopping), a session lock.
pub(crate) fn means_lock(member: &str, flag: Option<bool>) -> bool {
    match member {
        "Lock" => true,
        "PrepareForSleep" | "ActiveChanged" => flag == Some(true),
        _ => false,
    }
}

/// Starts one watcher thread per source whose bus is reachable; `on_lock` is called with the signal's name each
/// time one means "lock now". Returns how many sources are watched.
pub(crate) fn watch(on_lock: Arc<dyn Fn(&'static str) + Send + Sync>) -> usize {
    let system = Connection::system().ok();
    let session = Connection::session().ok();
    SOURCES
        .iter()
        .filter(|s| {
            let conn = match s.bus {
                Bus::System => system.clone(),
                Bus::Session => session.clone(),
            };
            conn.is_some_and(|c| watch_one(c, **s, on_lock.clone()))
        })
        .count()
}

/// Watches one source on `conn`, in a thread of its own; false if the bus refused the subscription.
pub(crate) fn watch_one(conn: Connection, source: Source, on_lock: Arc<dyn Fn(&'static str) + Send + Sync>) -> bool {
    let Ok(rule) = rule_of(source) else { return false };
    let Ok(messages) = MessageIterator::for_match_rule(rule, &conn, Some(16)) else { return false };
    std::thread::Builder::new()
        .name(format!("lock-on-{}", source.member))
        .spawn(move || {
            let _conn = conn; // kept open while watched
            for message in messages.flatten() {
                let flag = message.body().deserialize::<bool>().ok();
                if means_lock(source.member, flag) {
                    on_lock(source.member);
                }
            }
        })
        .is_ok()
}

fn rule_of(source: Source) -> zbus::Result<MatchRule<'static>> {
    Ok(MatchRule::builder().msg_type(Type::Signal).interface(source.interface)?.member(source.member)?.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_signals_lock() {
        assert!(means_lock("PrepareForSleep", Some(true)), "going to sleep");
        assert!(!means_lock("PrepareForSleep", Some(false)), "waking up");
        assert!(means_lock("ActiveChanged", Some(true)), "screen saver on");
        assert!(!means_lock("ActiveChanged", Some(false)), "screen saver off");
        assert!(!means_lock("ActiveChanged", None), "a malformed signal is ignored");
        assert!(means_lock("Lock", None), "loginctl lock-session");
        assert!(!means_lock("Unlock", None));
        for s in SOURCES {
            rule_of(*s).expect("a valid match rule");
        }
    }
}
