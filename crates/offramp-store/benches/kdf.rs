//! Key-derivation benchmark (a bench binary: `cargo bench -p offramp-store --bench kdf`): the time of the
//! ledger's Argon2id at the parameters new ledgers use, and at the others a reader might weigh them against.
//! Target: 0.5 to 1 s on the machine the tests run on (slow enough to cost a guesser, short enough to unlock).
#![allow(clippy::unwrap_used, clippy::float_arithmetic)]

use std::time::Instant;

use offramp_store::key::{argon2id, KDF_MEMORY_KIB, KDF_PASSES};
use offramp_store::Passphrase;

fn time(f: &mut dyn FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let p = Passphrase::new("correct horse battery staple".into());
    let ours = time(&mut || {
        std::hint::black_box(argon2id(&p, &[offramp_store::key::KDF_ARGON2ID_V2; 16]));
    });
    println!(
        "Argon2id as used ({} MiB, {} passes, 1 lane), best of 5: {:.0} ms (target 500 to 1000)",
        KDF_MEMORY_KIB / 1024,
        KDF_PASSES,
        ours * 1e3
    );
    for (mib, passes) in [(64u32, 3u32), (128, 4), (128, 6), (192, 4), (256, 3), (256, 4)] {
        let params = argon2::Params::new(mib * 1024, passes, 1, Some(32)).unwrap();
        let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let t = time(&mut || {
            let mut out = [0u8; 32];
            a.hash_password_into(p.as_str().as_bytes(), &[0xA2; 16], &mut out).unwrap();
            std::hint::black_box(out);
        });
        println!("  for comparison: {mib:>3} MiB x {passes} passes: {:.0} ms", t * 1e3);
    }
}
