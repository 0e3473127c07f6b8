// Builds what the React tests run against, under tests/output/ (git-ignored):
//  - an app's node_modules holding a copy of the built package, for server rendering in Node;
//  - the browser test app, bundled by esbuild, with React served as ES modules through an import
//    map, so that the package's own `import 'react'` and the app's share one React.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const TESTS = here('../');
const PKG = here('../../pkg/');
const ESBUILD = here('../node_modules/.bin/esbuild');

function requirePkg() {
  if (!existsSync(PKG + 'react.js') || !existsSync(PKG + 'core_bg.wasm')) {
    throw new Error('pkg/ is not built: run `make pkg` first');
  }
}

/** A directory whose node_modules/@recoloca/telemetry is a copy of pkg/, as an install from the
 *  registry would lay it out. A copy, not a link: Node resolves a linked package's own
 *  `import 'react'` from the link's target (pkg/, where there is no React). Bare imports from the
 *  copy find tests/node_modules, the same React the tests use. Returns the directory. */
export function installedPackage() {
  requirePkg();
  const dir = TESTS + 'output/react-ssr/';
  const target = dir + 'node_modules/@recoloca/telemetry';
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dir + 'node_modules/@recoloca', { recursive: true });
  cpSync(PKG, target, { recursive: true });
  // Resolved through the package's "exports", as an app's import would be.
  writeFileSync(
    dir + 'entry.mjs',
    "export * from '@recoloca/telemetry/react';\nexport * as core from '@recoloca/telemetry';\n" +
      "export * as slim from '@recoloca/telemetry/slim';\n" +
      "export * as slimReact from '@recoloca/telemetry/slim/react';\n",
  );
  return dir;
}

/** ESM re-export of a CommonJS module's named exports (esbuild cannot turn `export *` from CJS
 *  into static names, and the import map needs real ES modules). */
function esmFacade(specifier) {
  const names = Object.keys(createRequire(TESTS + 'package.json')(specifier)).filter(
    (n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default',
  );
  return (
    `import M from ${JSON.stringify(specifier)};\n` +
    'export default M;\n' +
    `export const { ${names.join(', ')} } = M;\n`
  );
}

const VENDOR = {
  react: 'react.js',
  'react/jsx-runtime': 'jsx-runtime.js',
  'react-dom': 'react-dom.js',
  'react-dom/client': 'react-dom-client.js',
};

/** Bundles tests/react/app.jsx into tests/output/react-app/ with an index.html. React is the
 *  development build: StrictMode's double render and double mount only happen there. The app
 *  imports `/pkg/index.js` and `/pkg/react.js`, which stay external: the page loads the real
 *  built package from the collector's /pkg/ mount. */
export function buildApp() {
  requirePkg();
  const out = TESTS + 'output/react-app/';
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out + 'facades', { recursive: true });
  const entries = [];
  for (const [spec, file] of Object.entries(VENDOR)) {
    writeFileSync(out + 'facades/' + file, esmFacade(spec));
    entries.push(out + 'facades/' + file);
  }
  const common = ['--bundle', '--format=esm', '--log-level=warning', '--define:process.env.NODE_ENV="development"'];
  // One build with splitting: the four entries share one copy of React.
  execFileSync(ESBUILD, [...entries, ...common, '--splitting', '--outdir=' + out + 'vendor'], {
    cwd: TESTS,
    stdio: 'inherit',
  });
  const externals = ['/pkg/index.js', '/pkg/react.js', ...Object.keys(VENDOR)].map((e) => '--external:' + e);
  execFileSync(
    ESBUILD,
    [TESTS + 'react/app.jsx', ...common, '--jsx=automatic', ...externals, '--outfile=' + out + 'app.js'],
    { cwd: TESTS, stdio: 'inherit' },
  );
  const imports = Object.fromEntries(Object.entries(VENDOR).map(([spec, file]) => [spec, '/react-app/vendor/' + file]));
  writeFileSync(
    out + 'index.html',
    '<!doctype html>\n<meta charset="utf-8">\n<title>React bindings test app</title>\n' +
      `<script type="importmap">${JSON.stringify({ imports })}</script>\n` +
      '<div id="root"></div>\n<script type="module" src="/react-app/app.js"></script>\n',
  );
  return out;
}
