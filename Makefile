# The two commands of the README are `make demo` and `make test`; both install what is missing
# first (.ci/bootstrap.sh, idempotent), so they work on a bare machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/tests/node_modules/.bin:$(PATH)

PORT ?= 8080
# Features the current Rust wasm32 target emits; the optimizer must keep them all.
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
                 --enable-sign-ext --enable-multivalue --enable-mutable-globals
# Optimized for size, except that a function with one caller is inlined into it only if it is
# small (-ocimfs, in binaryen's size units; its default inlines every one, however large).
# Fewer giant functions compress better: 0.56 kB less gzip, and about as much for any cap
# from 10 to 30.
WASM_OPT := -Oz --converge --one-caller-inline-max-function-size=25
CHROMEDRIVER := $(shell command -v chromedriver || echo /usr/bin/chromedriver)
GECKODRIVER := $(HOME)/.cargo/bin/geckodriver

.PHONY: all bootstrap pkg size test test-native test-browser test-e2e test-react demo www bench clean

all: pkg

bootstrap:
	@bash .ci/bootstrap.sh

# The npm package, release build, optimized by binaryen 132 from npm (never Debian's 108,
# which breaks reference types), then the hand-written JS and types from pkg-template/.
pkg: bootstrap
	rm -rf pkg
	wasm-pack --quiet build --release --mode no-install --target web --no-pack \
	  --out-dir pkg --out-name core
	wasm-opt $(WASM_OPT) --strip-producers --strip-target-features $(WASM_FEATURES) \
	  pkg/core_bg.wasm -o pkg/core_bg.wasm
	rm -f pkg/.gitignore
	cp pkg-template/* pkg/
	# Some of wasm-bindgen's generic helpers in the glue replaced with smaller ones that do the
	# same for this module; on wasm-bindgen's own names, so before they are shortened.
	node .ci/slim-glue.mjs pkg
	# The names shared by the module and its glue shortened (their hashes do not compress).
	node .ci/minify-names.mjs pkg $(WASM_FEATURES)
	node .ci/expose-init.mjs pkg/core.js
	# What a browser loads for the core entry is one minified file: index.js (the readable
	# source is pkg-template/index.js), wasm-bindgen's glue (core.js) and the module's
	# hand-written imports (src/page.js, which wasm-bindgen copies to pkg/snippets/). One
	# request, one gzip stream, and the glue's unused exports left out. The glue and the raw
	# exports' declarations are not shipped: loaded beside index.js, the glue would be a
	# second, separate instance of the module.
	esbuild pkg/index.js --bundle --format=esm --minify --outfile=pkg/index.js --allow-overwrite \
	  --log-level=warning
	# terser's second pass over esbuild's output: about 0.25 kB less gzip (merged declarations,
	# conditionals folded into expressions), which esbuild's single pass leaves.
	terser pkg/index.js --module --compress passes=2 --mangle --output pkg/index.min.js
	mv pkg/index.min.js pkg/index.js
	rm -rf pkg/snippets pkg/core.js pkg/core.d.ts pkg/core_bg.wasm.d.ts
	@SIZE_BUDGET=report node tests/size.mjs

# Where the module's bytes go: the optimized module once more with its function names kept,
# by twiggy (installed on first use; the tests do not need it).
size: pkg
	command -v twiggy >/dev/null || cargo install --quiet --locked twiggy --version 0.8.0 \
	  || cargo install --quiet twiggy --version 0.8.0
	wasm-bindgen --target web --keep-debug --out-dir target/size --out-name core \
	  target/wasm32-unknown-unknown/release/recoloca_telemetry.wasm
	wasm-opt $(WASM_OPT) -g $(WASM_FEATURES) target/size/core_bg.wasm -o target/size/named.wasm
	twiggy top -n 30 target/size/named.wasm

test: test-native test-browser test-e2e test-react

test-native:
	cargo test --quiet

test-browser: bootstrap
	wasm-pack test --headless --chrome --chromedriver $(CHROMEDRIVER) --mode no-install
	wasm-pack test --headless --firefox --geckodriver $(GECKODRIVER) --mode no-install

test-e2e: www
	cd tests && node --test --test-reporter=spec collector.test.mjs e2e/

# The React bindings: hooks and boundary in Chromium, server rendering in Node, and the
# hand-written declarations compiled against a typed usage file.
test-react: pkg
	cd tests && node --test --test-reporter=spec react/
	cd tests && ./node_modules/.bin/tsc -p types/tsconfig.json --noEmit

www: pkg
	cd www && npm install --no-audit --no-fund --loglevel=error && npx vite build

demo: www
	node www/server.mjs --port $(PORT)

# The seed's classes against ours in headless Chromium: ns per call, ratio, memory, bytes.
bench: pkg
	cd tests && node bench/run.mjs

clean:
	rm -rf pkg target www/dist
