//! Hot loops compiled for the widest vector unit the CPU has.
//!
//! [`run`] calls a closure inside a function compiled for AVX-512 or AVX2
//! when the CPU has them (checked once, at run time), and as it is
//! otherwise. Everything the closure inlines — `#[inline(always)]` code
//! such as [`super::fast`] and [`super::sum::lanes_by_block`] — is then
//! vectorised over eight or four lanes instead of SSE2's two.
//!
//! The bits do not change: the operations are the same IEEE additions,
//! multiplications, divisions and comparisons, each correctly rounded in
//! every lane whatever the width; no fused multiply–add is enabled (and
//! Rust never contracts `a * b + c`), and sums keep their fixed order.
//! `tests` check the wide paths against the portable one.

/// Which code [`run`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The target's baseline (SSE2 on x86-64).
    Portable,
    /// AVX2: four lanes of `f64`.
    Avx2,
    /// AVX-512: eight lanes of `f64`.
    Avx512,
}

/// The widest vector unit this CPU has, or a narrower one that the
/// environment variable `LIKELY_VECTOR` (`portable` or `avx2`) asks for:
/// a build with `LIKELY_VECTOR=portable` must give the same bytes.
pub fn widest() -> Width {
    static WIDEST: std::sync::OnceLock<Width> = std::sync::OnceLock::new();
    *WIDEST.get_or_init(|| {
        let detected = detect();
        match std::env::var("LIKELY_VECTOR").as_deref() {
            Ok("portable") => Width::Portable,
            Ok("avx2") if detected != Width::Portable => Width::Avx2,
            _ => detected,
        }
    })
}

/// The widest vector unit the CPU has.
pub fn detect() -> Width {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Width::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Width::Avx2;
        }
    }
    Width::Portable
}

/// `f()`, compiled for the widest vector unit the CPU has. `f` should be
/// a closure marked `#[inline(always)]` over `#[inline(always)]` code, so
/// that it is compiled inside the wide function.
#[inline(always)]
pub fn run<R>(f: impl FnOnce() -> R) -> R {
    with(widest(), f)
}

/// `f()` compiled for `width`, which must be one the CPU has (a wider one
/// falls back to the portable code).
#[inline(always)]
pub fn with<R>(width: Width, f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: each is called only when the CPU has its features, as
        // checked at run time.
        if width == Width::Avx512 && std::arch::is_x86_feature_detected!("avx512f") {
            return unsafe { avx512(f) };
        }
        if width == Width::Avx2 && std::arch::is_x86_feature_detected!("avx2") {
            return unsafe { avx2(f) };
        }
    }
    let _ = width;
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
