//! The module's memory allocator: power-of-two size classes, one free list each.
//!
//! The default allocator (dlmalloc) is about 8 kB of the module; this one is a few hundred
//! bytes. It suits this client's use: a handful of buffers that grow and shrink within bounds,
//! and many small short-lived strings. Blocks are never split or merged, so a freed block is
//! reused only for a request of its own class; the buffers' bounds keep that waste bounded too.
//! WebAssembly memory never shrinks, so nothing is given back to the browser either way.
//!
//! Single-threaded by construction: this module runs on the page's main thread only.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr;

/// Classes 2^0 … 2^31; the smallest block used is 8 bytes (room for the free-list link).
const CLASSES: usize = 32;
const MIN_BLOCK: usize = 8;
/// Blocks are aligned to their size up to this (a freed block may serve a request of another
/// alignment, so every block gets the strictest alignment of its class up front).
const MAX_ALIGN: usize = 16;
const PAGE: usize = 65_536;

pub struct SizeClasses {
    state: UnsafeCell<State>,
}

struct State {
    /// Head of each class's free list (0: empty); a free block's first word links the next.
    free: [usize; CLASSES],
    /// The unused tail of the memory obtained so far: `next .. end`.
    next: usize,
    end: usize,
}

// Safety: WebAssembly without threads has one thread; nothing is shared across threads.
unsafe impl Sync for SizeClasses {}

impl SizeClasses {
    pub const fn new() -> Self {
        SizeClasses {
            state: UnsafeCell::new(State {
                free: [0; CLASSES],
                next: 0,
                end: 0,
            }),
        }
    }
}

impl Default for SizeClasses {
    fn default() -> Self {
        Self::new()
    }
}

/// The class whose blocks fit `layout`, or `None` for what no class can hold.
fn class_of(layout: &Layout) -> Option<usize> {
    if layout.align() > MAX_ALIGN {
        return None;
    }
    let size = layout.size().max(layout.align()).max(MIN_BLOCK);
    let class = size.checked_next_power_of_two()?.trailing_zeros() as usize;
    (class < CLASSES).then_some(class)
}

impl State {
    /// A fresh block of `1 << class` bytes from the tail, growing memory when needed.
    fn carve(&mut self, class: usize) -> *mut u8 {
        let size = 1usize << class;
        let align = size.min(MAX_ALIGN);
        let mut start = (self.next + align - 1) & !(align - 1);
        if self.end == 0 || start.checked_add(size).is_none_or(|e| e > self.end) {
            let Some(pages) = size.checked_add(MAX_ALIGN).map(|n| n.div_ceil(PAGE)) else {
                return ptr::null_mut();
            };
            let old = wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return ptr::null_mut();
            }
            let base = old * PAGE;
            if base != self.end {
                // Not contiguous with the old tail (first use): start over at the new pages.
                self.next = base;
            }
            let Some(end) = pages.checked_mul(PAGE).and_then(|n| n.checked_add(base)) else {
                return ptr::null_mut();
            };
            self.end = end;
            start = (self.next + align - 1) & !(align - 1);
            if start.checked_add(size).is_none_or(|e| e > self.end) {
                return ptr::null_mut();
            }
        }
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(&layout) else {
            return ptr::null_mut();
        };
        // Safety: single-threaded, and no allocation happens while this borrow lives.
        let state = unsafe { &mut *self.state.get() };
        let Some(head) = state.free.get_mut(class) else {
            return ptr::null_mut();
        };
        if *head != 0 {
            let block = *head as *mut u8;
            // Safety: a free block holds the address of the next free block in its first word.
            *head = unsafe { ptr::read(block as *const usize) };
            return block;
        }
        state.carve(class)
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(&layout) else {
            return;
        };
        // Safety: as in `alloc`.
        let state = unsafe { &mut *self.state.get() };
        if let Some(head) = state.free.get_mut(class) {
            // Safety: the block is at least MIN_BLOCK bytes and aligned for a usize.
            unsafe { ptr::write(block as *mut usize, *head) };
            *head = block as usize;
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return ptr::null_mut();
        };
        if class_of(&layout).is_some() && class_of(&layout) == class_of(&new_layout) {
            return block; // the block already has room
        }
        // Safety: the caller passes a live block of `layout`.
        unsafe {
            let fresh = self.alloc(new_layout);
            if !fresh.is_null() {
                ptr::copy_nonoverlapping(block, fresh, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
            fresh
        }
    }
}
