//! The live stack the @live scenarios read: started once before the run and
//! removed after it.

use std::sync::Arc;

/// What the run knows about the live stack.
#[derive(Clone, Debug, Default)]
pub struct Live {
    inner: Arc<LiveState>,
}

#[derive(Debug, Default)]
struct LiveState {
    unavailable: Option<String>,
    standins: bool,
}

impl Live {
    pub fn unavailable(&self) -> Option<String> {
        self.inner.unavailable.clone()
    }

    pub fn uses_standins(&self) -> bool {
        self.inner.standins
    }
}

pub async fn prepare() -> Live {
    let state = LiveState { unavailable: Some("not yet built".into()), standins: true };
    Live { inner: Arc::new(state) }
}

pub async fn finish(_live: &Live) {}
