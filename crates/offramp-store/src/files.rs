//! Files Offramp writes (exports, reports, backups, the ledger itself when created): each is created new as a
//! hidden temporary file beside its destination, readable by its owner only (0600 on Unix), written, flushed to
//! the disk, and only then given its name, which must not exist yet. A kill or a full disk at any moment leaves
//! either no file under the final name or the complete one; a temporary file is never reused (each has a name of
//! its own, created with `create_new`, so a planted file or link there is refused, not written through).
//! Folders Offramp creates are 0700.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::StoreError;

/// The mode of every file Offramp writes (owner read and write).
pub const FILE_MODE: u32 = 0o600;
/// The mode of every folder Offramp creates (owner only).
pub const DIR_MODE: u32 = 0o700;

fn io(context: String) -> impl FnOnce(io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// Creates `dir` and its missing parents with mode 0700 (existing folders are left as they are).
pub fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, DIR_MODE);
    b.create(dir).map_err(io(format!("cannot create the folder {}", dir.display())))
}

/// Narrows an existing file or folder Offramp owns to the owner (0600 / 0700) if it is open to others (a ledger
/// written by an earlier version). Best effort: a file on a file system without Unix modes is left as it is.
pub fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path) {
            let want = if m.is_dir() { DIR_MODE } else { FILE_MODE };
            if m.permissions().mode() & 0o077 != 0 {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(want));
            }
        }
    }
}

/// Creates a new file at `path` that must not exist, mode 0600.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, FILE_MODE);
    o.open(path)
}

/// A temporary file beside `dest`: `.<name>.<pid>-<n>.partial`, created new.
pub(crate) fn create_temp_beside(dest: &Path) -> Result<(PathBuf, File), StoreError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = parent_of(dest);
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "offramp".into());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}.partial", std::process::id()));
        match create_new_private(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(format!("cannot create a file in {}", dir.display()))(e)),
        }
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Gives the complete temporary file `tmp` the name `dest`, refusing to replace a file already there: a hard link
/// (which fails if `dest` exists) then the removal of the temporary name; on a file system without hard links, a
/// rename after checking `dest` is free. The folder is flushed so the new name survives a power cut.
pub(crate) fn publish(tmp: &Path, dest: &Path) -> Result<(), StoreError> {
    match std::fs::hard_link(tmp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(tmp);
            return Err(StoreError::AlreadyExists(dest.to_path_buf()));
        }
        Err(_) => {
            if dest.exists() {
                let _ = std::fs::remove_file(tmp);
                return Err(StoreError::AlreadyExists(dest.to_path_buf()));
            }
            std::fs::rename(tmp, dest).map_err(io(format!("cannot move the file into place at {}", dest.display())))?;
        }
    }
    sync_dir(&parent_of(dest));
    Ok(())
}

/// Flushes a folder's entries (new names) to the disk. Best effort: not every platform can open a folder.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes a new file at `dest` (which must not exist) with what `write` produces, as this module describes: a
/// failure of `write`, of the disk, or a kill leaves nothing under `dest`. Returns what `write` returned.
pub fn write_new<T, E: From<StoreError>>(
    dest: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, E> {
    if dest.exists() {
        return Err(StoreError::AlreadyExists(dest.to_path_buf()).into());
    }
    let (tmp, file) = create_temp_beside(dest)?;
    let result = (|| {
        let mut w = io::BufWriter::with_capacity(1 << 16, file);
        let value = write(&mut w)?;
        let file = w.into_inner().map_err(|e| io(format!("cannot write {}", dest.display()))(e.into_error()))?;
        file.sync_all().map_err(io(format!("cannot write {}", dest.display())))?;
        drop(file);
        publish(&tmp, dest)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces the small file at `dest` (state kept beside the ledger) with `bytes`: written new under a temporary
/// name (0600), flushed, then renamed over the old one, so a kill leaves the old content or the new, never a mix.
pub fn write_replacing(dest: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let (tmp, mut file) = create_temp_beside(dest)?;
    let result = file
        .write_all(bytes)
        .and_then(|_| file.sync_all())
        .and_then(|_| std::fs::rename(&tmp, dest))
        .map_err(io(format!("cannot write {}", dest.display())));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    sync_dir(&parent_of(dest));
    result
}

/// A writer's I/O failure as a store error naming the file (for `write_new`'s closures).
pub fn write_error(dest: &Path) -> impl Fn(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { context: format!("cannot write {}", dest.display()), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(p).unwrap().permissions().mode() & 0o777
        }
        #[cfg(not(unix))]
        {
            let _ = p;
            FILE_MODE
        }
    }

    #[test]
    fn a_new_file_is_private_complete_and_never_replaces_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("out.csv");
        write_new::<_, StoreError>(&dest, |w| w.write_all(b"a,b\n").map_err(write_error(&dest))).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"a,b\n");
        assert_eq!(mode(&dest), 0o600);
        let again = write_new::<_, StoreError>(&dest, |w| w.write_all(b"x").map_err(write_error(&dest)));
        assert!(matches!(again, Err(StoreError::AlreadyExists(_))));
        assert_eq!(std::fs::read(&dest).unwrap(), b"a,b\n", "the first file is untouched");
        // A failure while writing leaves nothing, not even the temporary file.
        let other = tmp.path().join("other.csv");
        let failed = write_new::<(), StoreError>(&other, |w| {
            w.write_all(b"half").map_err(write_error(&other))?;
            Err(StoreError::Invalid("stopped".into()))
        });
        assert!(failed.is_err());
        assert!(!other.exists());
        let names: Vec<String> =
            std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(names, ["out.csv"]);
    }

    #[test]
    fn a_planted_temporary_name_is_not_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("r.csv");
        // Whatever sits at a temporary name (here: every name this process would try first) is left alone.
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        #[cfg(unix)]
        for n in 0..64 {
            let _ = std::os::unix::fs::symlink(
                &victim,
                tmp.path().join(format!(".r.csv.{}-{n}.partial", std::process::id())),
            );
        }
        write_new::<_, StoreError>(&dest, |w| w.write_all(b"new").map_err(write_error(&dest))).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
    }

    #[test]
    fn folders_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("a/b");
        create_private_dir(&d).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }
}
