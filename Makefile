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
# --low-memory-unused: no address below 1024 is ever used (Rust's wasm32 target puts the stack
# first, growing down from 1 MiB, and the data after it), so constant offsets can fold into
# loads and stores: 0.14 kB less gzip.
WASM_OPT := -Oz --converge --one-caller-inline-max-function-size=25 --low-memory-unused
# Then once more, with the control flow first flattened and rebuilt by binaryen's relooper
# (--flatten --rereloop): the optimized module's branches come out in shapes that -Oz
# folds and gzip finds more often. About 0.1 kB less gzip per module; a third round gains
# nothing.
WASM_OPT_AGAIN := --flatten --rereloop $(WASM_OPT)
CHROMEDRIVER := $(shell command -v chromedriver || echo /usr/bin/chromedriver)
GECKODRIVER := $(HOME)/.cargo/bin/geckodriver
WEBKITDRIVER := /usr/bin/WebKitWebDriver

.PHONY: all bootstrap pkg size test test-native test-browser test-e2e test-react demo www bench clean

all: pkg

bootstrap:
	@bash .ci/bootstrap.sh

# The npm package: two entries over one main module, and a second module that the main entry
# loads once the client is ready (release builds, optimized by binaryen 132 from npm, never
# Debian's 108, which breaks reference types), and the hand-written React bindings and types
# from pkg-template/.
#   index.js + core_bg.wasm    the seed's defaults (the drop-in); it loads watch.js
#   watch.js + watch_bg.wasm   error capture and page timings (src/watch/)
#   slim.js + slim_bg.wasm     without them: it never loads watch.js (slim_bg.wasm is the
#                              main module, under the slim entry's own name)
#   review.js                  beforeSend's code, which every entry loads only once an app
#                              sets a beforeSend
pkg: bootstrap
	rm -rf pkg
	mkdir -p pkg
	# The OTLP entry's module first (the main module's build, last, is what `make size` reads).
	$(call module,recoloca-telemetry,recoloca_telemetry,target/entry-otlp-module,core,--features otlp)
	$(call module,recoloca-telemetry,recoloca_telemetry,target/entry-main,core,)
	$(call entry,index,core,true,target/entry-main,false)
	$(call entry,slim,slim,false,target/entry-main,false)
	# The OTLP entry: the same index.js over the module built with OTLP export.
	$(call entry,otlp,otlp,true,target/entry-otlp-module,true)
	! grep -q 'watch.js' pkg/slim.js # the slim entry never imports the second module
	grep -q 'watch.js' pkg/index.js
	# The second module: its glue and loader (pkg-template/watch.js) as one minified file.
	$(call module,recoloca-telemetry-watch,recoloca_telemetry_watch,target/entry-watch,watch_glue,--features allocator)
	cp pkg-template/watch.js target/entry-watch/watch.js
	esbuild target/entry-watch/watch.js --bundle --format=esm --minify-syntax --log-level=warning \
	  --outfile=target/entry-watch/bundle.js
	terser target/entry-watch/bundle.js --module --ecma 2020 --mangle --output pkg/watch.js \
	  --compress passes=2,hoist_funs=true
	cp target/entry-watch/watch_glue_bg.wasm pkg/watch_bg.wasm
	# beforeSend's code, imported by every entry the first time an app sets one.
	terser pkg-template/review.js --module --ecma 2020 --mangle --output pkg/review.js \
	  --compress passes=2
	cp pkg-template/*.d.ts pkg-template/react.js pkg-template/package.json pkg/
	# The slim entry's React bindings: the same file over the slim entry's client, in slim/ so
	# that `@recoloca/telemetry/slim/react` also resolves where package.json's "exports" is not
	# read (TypeScript's "node" resolution, older tools).
	mkdir -p pkg/slim pkg/otlp
	sed "s#from './index.js'#from '../slim.js'#" pkg/react.js > pkg/slim/react.js
	grep -q "from '../slim.js'" pkg/slim/react.js
	! grep -q "'./index.js'" pkg/slim/react.js
	cp pkg-template/slim/react.d.ts pkg/slim/
	sed "s#from './index.js'#from '../otlp.js'#" pkg/react.js > pkg/otlp/react.js
	grep -q "from '../otlp.js'" pkg/otlp/react.js
	! grep -q "'./index.js'" pkg/otlp/react.js
	cp pkg-template/otlp/react.d.ts pkg/otlp/
	@node tests/size.mjs

# One module: crate $(1) (its file name $(2)) built for the web by cargo with flags $(5), its
# glue made by the wasm-bindgen CLI (the version .ci/bootstrap.sh installs, which Cargo.toml
# pins) into directory $(3) as $(4).js and $(4)_bg.wasm, then the optimizer's two rounds.
# wasm-bindgen's own flags: strings are passed with TextEncoder's encodeInto, which every
# browser that runs these modules has, without the fallback for those that lack it; and the
# glue names no default module path (index.js and watch.js always give theirs).
define module
	cargo build --quiet --release --target wasm32-unknown-unknown -p $(1) $(5)
	rm -rf $(3)
	wasm-bindgen --target web --no-typescript --encode-into always --omit-default-module-path \
	  --out-dir $(3) --out-name $(4) target/wasm32-unknown-unknown/release/$(2).wasm
	wasm-opt $(WASM_OPT) --strip-producers --strip-target-features $(WASM_FEATURES) \
	  $(3)/$(4)_bg.wasm -o $(3)/$(4)_bg.wasm
	wasm-opt $(WASM_OPT_AGAIN) $(WASM_FEATURES) $(3)/$(4)_bg.wasm -o $(3)/$(4)_bg.wasm
endef

# One entry over the main module: its minified JS as pkg/$(1).js and the module as
# pkg/$(2)_bg.wasm; $(3) says whether it loads the second module; $(4) is the directory of the
# module and its glue (the main one, or the one built with OTLP export); $(5) whether it is the
# OTLP entry (index.js's request wrappers).
define entry
	rm -rf target/entry-$(1)
	cp -r $(4) target/entry-$(1)
	cp pkg-template/index.js target/entry-$(1)/index.js
	# What a browser loads for an entry is one minified file: index.js (the readable source is
	# pkg-template/index.js) and wasm-bindgen's glue (core.js), bundled by esbuild and compressed
	# by terser. One request, one gzip stream, and the glue's unused exports left out. The glue
	# is not shipped on its own: loaded beside the entry, it would be a second, separate
	# instance of the module. WASM_FILE names the module the entry fetches; watch.js, the second
	# module, stays a file of its own, imported when needed.
	esbuild target/entry-$(1)/index.js --bundle --format=esm --minify-syntax --log-level=warning \
	  --define:WASM_FILE='"$(2)_bg.wasm"' --define:WATCH=$(3) --define:OTLP=$(5) --external:./watch.js --external:./review.js \
	  --outfile=target/entry-$(1)/bundle.js
	terser target/entry-$(1)/bundle.js --module --ecma 2020 --mangle --output pkg/$(1).js \
	  --compress passes=2,hoist_funs=true
	cp $(4)/core_bg.wasm pkg/$(2)_bg.wasm
endef

# Where the module's bytes go: the optimized module once more with its function names kept,
# by twiggy (installed on first use; the tests do not need it): the largest items, then the
# bytes by crate (tests/size-by-crate.mjs; the table in README, "Building").
size: pkg
	command -v twiggy >/dev/null || cargo install --quiet --locked twiggy --version 0.8.0 \
	  || cargo install --quiet twiggy --version 0.8.0
	wasm-bindgen --target web --keep-debug --out-dir target/size --out-name core \
	  target/wasm32-unknown-unknown/release/recoloca_telemetry.wasm
	wasm-opt $(WASM_OPT) -g $(WASM_FEATURES) target/size/core_bg.wasm -o target/size/named.wasm
	wasm-opt $(WASM_OPT_AGAIN) -g $(WASM_FEATURES) target/size/named.wasm -o target/size/named.wasm
	twiggy top -n 30 target/size/named.wasm
	node tests/size-by-crate.mjs target/size/named.wasm

test: test-native test-browser test-e2e test-react

# The workspace's native tests (the logic lives in src/core/), and the rule that keeps the core
# free of the browser: no wasm-bindgen, web-sys or js-sys anywhere in its dependency tree.
test-native:
	cargo test --workspace --quiet
	# The OTLP entry's logic (its streams, bodies and retry codes), tested with its feature on.
	cargo test --quiet -p recoloca-telemetry-core --features otlp
	# With the page's requests measured and traced (#20; the browser side comes next).
	cargo test --quiet -p recoloca-telemetry-core --features traces
	cargo tree --quiet -p recoloca-telemetry-core -e normal,build --prefix none > target/core-tree.txt
	! grep -E '^(wasm-bindgen|web-sys|js-sys)( |$$)' target/core-tree.txt

test-browser: bootstrap
	wasm-pack test --headless --chrome --chromedriver $(CHROMEDRIVER) --mode no-install
	wasm-pack test --headless --firefox --geckodriver $(GECKODRIVER) --mode no-install
	# The OTLP entry's glue (tests/otlp_web.rs), built with its feature.
	wasm-pack test --headless --chrome --chromedriver $(CHROMEDRIVER) --mode no-install -- --features otlp --test otlp_web
	wasm-pack test --headless --firefox --geckodriver $(GECKODRIVER) --mode no-install -- --features otlp --test otlp_web
	# WebKit: wasm-pack has no flag for it, so cargo runs the tests through wasm-bindgen's runner
	# (what wasm-pack does), which drives WebKitGTK's WebDriver when SAFARIDRIVER names it.
	# WebKitGTK has no headless mode: it runs in a virtual X display.
	# (wasm-bindgen's runner prefers GECKODRIVER, CHROMEDRIVER and *_REMOTE over SAFARIDRIVER:
	# cleared, so that this step cannot quietly test another browser.)
	xvfb-run -a env -u GECKODRIVER -u CHROMEDRIVER -u GECKODRIVER_REMOTE -u CHROMEDRIVER_REMOTE \
	  -u SAFARIDRIVER_REMOTE SAFARIDRIVER=$(WEBKITDRIVER) \
	  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  sh -c 'cargo test --target wasm32-unknown-unknown && cargo test --target wasm32-unknown-unknown --features otlp --test otlp_web'

test-e2e: www
	cd tests && node --test --test-reporter=spec collector.test.mjs e2e/ otlp/

# The React bindings: hooks and boundary in Chromium, server rendering in Node, and the
# hand-written declarations compiled against a typed usage file.
test-react: pkg
	cd tests && node --test --test-reporter=spec react/
	cd tests && ./node_modules/.bin/tsc -p types/tsconfig.json --noEmit

www: pkg
	cd www && npm install --no-audit --no-fund --loglevel=error && npx vite build

# A person running `make demo` waits for a URL, not for 140 lines of build commands: each step
# (the prerequisites of `www`, one at a time; -o keeps a step from running the one before it
# again) is one line, and its output goes to target/demo/<step>.log, printed only if it fails.
# `make www`, `make pkg` and `make test` print everything as before.
demo:
	$(call demo-step,Checking the tools (.ci/bootstrap.sh; minutes on a bare machine),bootstrap,bootstrap)
	$(call demo-step,Building the package (pkg/),pkg -o bootstrap,pkg)
	$(call demo-step,Building the demo app (www/dist/),www -o pkg,www)
	@echo
	@node www/server.mjs --port $(PORT)

# One step of `make demo`: says $(1), runs make $(2) with its output in target/demo/$(3).log.
# A title has no `,` ($(call) splits its arguments at commas) and no `'` (printf gets it in '…').
define demo-step
	@mkdir -p target/demo
	@printf '%s ... ' '$(1)'; start=$$SECONDS; \
	if $(MAKE) --no-print-directory $(2) > target/demo/$(3).log 2>&1; then \
	  echo "done ($$((SECONDS - start)) s)"; \
	else \
	  echo failed; cat target/demo/$(3).log; \
	  echo "make demo: that step failed; its output, above, is also in target/demo/$(3).log"; exit 1; \
	fi
endef

# The seed's classes against ours in headless Chromium: ns per call, ratio, memory, bytes.
bench: pkg
	cd tests && node bench/run.mjs

clean:
	rm -rf pkg target www/dist
