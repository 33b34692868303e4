//! A per-file cache of derived analyses (what several rules ask of one file:
//! its long-lived containers, run frequencies, lifecycles, …), filled on
//! first use. The model holds the cache but knows nothing of what goes in it:
//! each analysis module owns its type and the function that computes it, so
//! `model` does not depend on `analysis` (the layering of
//! docs/architecture.md).
//!
//! One file is analysed by one thread, so plain `OnceCell`s suffice. Entries
//! are keyed by type: every analysis caches a type of its own (a newtype
//! where the value is a plain collection).

use std::any::{Any, TypeId};
use std::cell::OnceCell;

/// How many different analyses one file may cache. A fixed array of cells
/// keeps every cached value at a stable address without `unsafe`.
const SLOTS: usize = 32;

#[derive(Default)]
pub struct Derived {
    slots: [OnceCell<(TypeId, Box<dyn Any>)>; SLOTS],
}

impl Derived {
    /// The cached `T` of this file, computed by `init` on the first call.
    /// `init` may itself ask for other analyses (never for `T`).
    pub fn get_or_init<T: Any>(&self, init: impl FnOnce() -> T) -> &T {
        if let Some(found) = self.get::<T>() {
            return found;
        }
        // Computed before a slot is chosen: `init` may fill slots itself.
        let value = init();
        let slot = self
            .slots
            .iter()
            .find(|s| s.get().is_none())
            .expect("more derived analyses than model::derived::SLOTS");
        let (_, stored) = slot.get_or_init(|| (TypeId::of::<T>(), Box::new(value)));
        stored
            .downcast_ref()
            .expect("a slot holds the type it was filled with")
    }

    /// The cached `T`, if some rule asked for it already.
    pub fn get<T: Any>(&self) -> Option<&T> {
        let want = TypeId::of::<T>();
        self.slots
            .iter()
            .map_while(OnceCell::get)
            .find(|(id, _)| *id == want)
            .and_then(|(_, value)| value.downcast_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::Derived;
    use std::cell::Cell;

    struct A(u32);
    struct B(u32);

    #[test]
    fn computes_each_type_once_and_nests() {
        let d = Derived::default();
        let runs = Cell::new(0);
        let a = d.get_or_init(|| {
            runs.set(runs.get() + 1);
            // An analysis that asks for another while it is computed.
            A(d.get_or_init(|| B(2)).0 + 1)
        });
        assert_eq!(a.0, 3);
        assert_eq!(d.get_or_init(|| A(99)).0, 3);
        assert_eq!(d.get::<B>().map(|b| b.0), Some(2));
        assert_eq!(runs.get(), 1);
        assert!(d.get::<u8>().is_none());
    }
}
