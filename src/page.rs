//! The page, through the hand-written imports of `src/page.js`: numbers and strings in, numbers
//! and strings out. The module holds no page objects (an observer, a response, an event):
//! listeners, timers, observers and requests live on the JavaScript side, each behind a
//! serial number that [`crate::listen::Hold`] releases, and they report back through the
//! module's exported `wake`, with a token saying what woke ([`crate::wake`](mod@crate::wake)).
//!
//! None of these functions throws: page.js catches, and reports a failure as a value (`false`,
//! 0, NaN, `None`).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::convert::{FromWasmAbi, IntoWasmAbi, OptionFromWasmAbi, WasmSlice};
use wasm_bindgen::describe::WasmDescribe;
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
    pub fn navigation() -> Option<Text>;
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
    pub fn store_keys(prefix: &str) -> Option<Text>;
    #[wasm_bindgen(js_name = storeGet)]
    pub fn store_get(key: &str) -> Option<Text>;
    #[wasm_bindgen(js_name = storeSet)]
    pub fn store_set(key: &str, value: &[u8]) -> bool;
    #[wasm_bindgen(js_name = storeRemove)]
    pub fn store_remove(key: &str);
    #[wasm_bindgen(js_name = randomBytes)]
    pub fn random_bytes(bytes: &mut [u8]) -> bool;
    #[wasm_bindgen(js_name = dateMs)]
    pub fn date_ms(text: &str) -> f64;
    #[wasm_bindgen(js_name = numberText)]
    pub fn number_text(v: f64) -> Text;
    pub fn warn(message: &str);
    #[wasm_bindgen(js_name = dateNow)]
    pub fn date_now() -> f64;
    pub fn random() -> f64;
    #[wasm_bindgen(js_name = readOptions)]
    pub fn read_options(names: &str, types: &str) -> Option<Text>;
}

/// A string that crosses between JavaScript and the module: it crosses as a `String` does (the
/// same descriptor, so the same glue), but is converted without wasm-bindgen's detour through
/// `Vec::into_boxed_slice`. That can shrink, and its shrinking code and panic message would be
/// in the module for nothing: what the glue hands over is always allocated at exactly its
/// length, and what the module hands back is copied into an allocation of exactly its length.
#[derive(Default)]
pub struct Text(pub String);

impl core::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// For the browser tests, which call the exports from Rust.
impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.into())
    }
}

impl WasmDescribe for Text {
    fn describe() {
        String::describe()
    }
}

impl FromWasmAbi for Text {
    type Abi = WasmSlice;

    unsafe fn from_abi(js: WasmSlice) -> Self {
        let (ptr, len) = (js.ptr.into_usize(), js.len.into_usize());
        // Never true (no allocation is that large), but said, so that the compiler knows the
        // capacity is one a `String` can have: the wrappers wasm-bindgen generates test the
        // conversion's result, and would otherwise keep a path that throws.
        if len > isize::MAX as usize {
            core::arch::wasm32::unreachable();
        }
        // Safety: what wasm-bindgen's own conversion assumes: the glue wrote the string's
        // UTF-8 bytes through `__wbindgen_malloc` (and `__wbindgen_realloc` to its exact length),
        // so the allocation is `len` bytes with alignment 1; for "", `len` is 0 and nothing is
        // allocated or freed. Never address 0, which stands for none: the glue writes it only
        // for an answer taken as `Option<Text>`, whose `is_none` is asked first (for any other,
        // .ci/slim-glue.mjs passes "" instead).
        Text(unsafe { String::from_raw_parts(ptr as *mut u8, len, len) })
    }
}

impl OptionFromWasmAbi for Text {
    fn is_none(js: &WasmSlice) -> bool {
        js.ptr.is_zero()
    }
}

impl IntoWasmAbi for Text {
    type Abi = WasmSlice;

    /// The glue frees what it read with the length it was given, so the bytes go in an
    /// allocation of exactly that length.
    fn into_abi(self) -> WasmSlice {
        Box::<[u8]>::from(self.0.as_bytes()).into_abi()
    }
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
