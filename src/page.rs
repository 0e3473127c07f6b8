//! The page, through the hand-written imports of `src/page.js`: numbers and strings in, numbers
//! and strings out. The module holds no page objects (an observer, a response, an event):
//! listeners, timers, observers and requests live on the JavaScript side, each behind a
//! serial number that [`crate::listen::Hold`] releases, and they report back through the
//! module's exported `wake`, with a token saying what woke ([`crate::wake`](mod@crate::wake)).
//!
//! None of these functions throws: page.js catches, and reports a failure as a value (`false`,
//! 0, NaN, `None`).

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/src/page.js")]
extern "C" {
    #[wasm_bindgen(js_name = takeNumbers)]
    fn take_numbers(into: &mut [f64]) -> u32;
    pub fn release(id: u32);
    pub fn timer(token: u32, ms: u32, repeat: bool) -> u32;
    pub fn frames(token: u32) -> u32;
    #[wasm_bindgen(js_name = listenExit)]
    pub fn listen_exit() -> u32;
    #[wasm_bindgen(js_name = listenErrors)]
    pub fn listen_errors() -> u32;
    #[wasm_bindgen(js_name = listenInputs)]
    pub fn listen_inputs() -> u32;
    pub fn observe(source: u32, token: u32, threshold: f64) -> u32;
    #[wasm_bindgen(js_name = takeRecords)]
    pub fn take_records(id: u32) -> u32;
    pub fn supported() -> u32;
    pub fn navigation() -> Option<String>;
    pub fn now() -> f64;
    #[wasm_bindgen(js_name = interactionCount)]
    pub fn interaction_count() -> f64;
    pub fn post(
        url: &str,
        body: &[u8],
        key: &str,
        keepalive: bool,
        timeout_ms: u32,
        token: u32,
    ) -> bool;
    pub fn beacon(url: &str, body: &[u8]) -> bool;
    pub fn online() -> bool;
    pub fn promise(a: u32, b: u32);
    pub fn resolve(id: u32);
    #[wasm_bindgen(js_name = storeKeys)]
    pub fn store_keys(prefix: &str) -> Option<String>;
    #[wasm_bindgen(js_name = storeGet)]
    pub fn store_get(key: &str) -> Option<String>;
    #[wasm_bindgen(js_name = storeSet)]
    pub fn store_set(key: &str, value: &[u8]) -> bool;
    #[wasm_bindgen(js_name = storeRemove)]
    pub fn store_remove(key: &str);
    #[wasm_bindgen(js_name = randomBytes)]
    pub fn random_bytes(bytes: &mut [u8]) -> bool;
    #[wasm_bindgen(js_name = dateMs)]
    pub fn date_ms(text: &str) -> f64;
    #[wasm_bindgen(js_name = numberText)]
    pub fn number_text(v: f64) -> String;
    pub fn warn(message: &str);
    #[wasm_bindgen(js_name = dateNow)]
    pub fn date_now() -> f64;
    pub fn random() -> f64;
    #[wasm_bindgen(js_name = readOptions)]
    pub fn read_options(names: &str, types: &str) -> Option<String>;
}

/// What page.js writes for a field that is absent (in error facts and option states).
pub const ABSENT: &str = "\u{1}";
/// What page.js writes for an option of the wrong type.
pub const MISTYPED: &str = "\u{2}";

/// Gives page.js the module's callback, when the client is created; in the package there is
/// nothing to do: `index.js` gives it the exported `wake` before it starts the client (a Rust
/// closure would cost the module wasm-bindgen's closure shims and its allocator of JavaScript
/// references). The browser tests load the module without index.js, so with `std` the client
/// gives it a closure (see [`host`]).
pub fn start() {
    #[cfg(feature = "std")]
    host::attach();
}

/// The last `n` numbers page.js staged (the rest, if any, were left by an earlier call that
/// did not take them, and are dropped).
///
/// They are written into the module's memory in place: a `Vec<f64>` returned by page.js would
/// bring wasm-bindgen's conversion of it (`into_boxed_slice`, which can shrink, and its panic).
pub fn numbers(n: usize) -> Vec<f64> {
    let mut out = alloc::vec![0.0; n];
    let taken = take_numbers(&mut out);
    out.truncate(taken as usize);
    out
}

/// What `pkg-template/index.js` does around the module, for the browser tests, which load it
/// without index.js: they configure with an object and await `flush()`'s promise.
#[cfg(feature = "std")]
pub mod host {
    use alloc::string::String;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;

    #[wasm_bindgen(module = "/src/page.js")]
    extern "C" {
        fn init(wake: &JsValue);
        fn offer(options: &JsValue);
        fn settled(id: u32) -> js_sys::Promise;
    }

    pub(crate) fn attach() {
        let wake = Closure::<dyn FnMut(u32, f64, String)>::new(|t, n, text: String| {
            crate::wake::wake(t, n, &text)
        });
        init(&wake.into_js_value());
    }

    /// `configure(options)` as index.js makes it.
    pub fn configure(options: JsValue) {
        offer(&options);
        crate::configure();
    }

    /// `flush()` as index.js makes it: a promise that settles (never rejects) when done.
    pub fn flush() -> js_sys::Promise {
        settled(crate::flush())
    }
}
