// Type-checks Grafana dashboard JSON against the TypeScript types of npm @grafana/schema
// (Grafana's published dashboard schema; the package ships TypeScript types, no JSON schema).
//
// usage: node check.mjs NODE_MODULES_DIR FILE.json...
//
// Each file becomes `const d: GraphiteDashboard = <json>;` and goes through tsc --strict:
// unknown keys (excess properties), wrong types and missing required fields are errors. Two
// adjustments the JSON form needs: string enums (ThresholdsMode, FieldColorModeId, ...) accept
// their string values, since JSON cannot name an enum member; and annotation targets are typed
// as the Graphite datasource's query (DataQuery + target/tags/textEditor/fromAnnotations), as
// the generic AnnotationQuery<TQuery> is meant to be instantiated.
// The check proves it can fail: two mutated copies of the first file (an unknown key; a string
// graphTooltip) must be rejected. Exit 0: all clean; 1: errors (printed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error('usage: node check.mjs NODE_MODULES_DIR FILE.json...');
  process.exit(2);
}
const ts = createRequire(path.join(modules, 'x.js'))('typescript');

const prelude = `import type { Dashboard, DataQuery, AnnotationQuery } from '@grafana/schema';
type Loosen<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends Array<infer U> ? Array<Loosen<U>>
  : T extends object ? { [K in keyof T]: Loosen<T[K]> } : T;
interface GraphiteQuery extends DataQuery {
  target?: string; textEditor?: boolean; fromAnnotations?: boolean; tags?: string[];
}
type GraphiteDashboard = Loosen<Omit<Dashboard, 'annotations'> &
  { annotations?: { list?: Array<AnnotationQuery<GraphiteQuery>> } }>;
export const d: GraphiteDashboard = `;

// Diagnostics for each JSON text, keyed by name.
function check(named) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-schema-'));
  fs.symlinkSync(path.resolve(modules), path.join(dir, 'node_modules'));
  const roots = named.map(([name, text], i) => {
    const file = path.join(dir, `d${i}.ts`);
    fs.writeFileSync(file, prelude + text + ';\n');
    return file;
  });
  const program = ts.createProgram(roots, {
    strict: true, noEmit: true, skipLibCheck: true,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const out = named.map(() => []);
  for (const diag of ts.getPreEmitDiagnostics(program)) {
    const i = diag.file ? roots.indexOf(diag.file.fileName) : -1;
    const where = diag.file
      ? `:${diag.file.getLineAndCharacterOfPosition(diag.start).line + 1 - prelude.split('\n').length + 1}`
      : '';
    const message = `${i >= 0 ? named[i][0] : 'tsc'}${where}: ${ts.flattenDiagnosticMessageText(diag.messageText, ' ')}`;
    (i >= 0 ? out[i] : out[0]).push(message);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

const inputs = files.map((f) => [f, fs.readFileSync(f, 'utf8')]);
const unknownKey = JSON.parse(inputs[0][1]);
unknownKey.notAGrafanaKey = true;
const badType = JSON.parse(inputs[0][1]);
badType.graphTooltip = 'shared';
const mutants = [['<copy with an unknown key>', unknownKey], ['<copy with a string graphTooltip>', badType]];
const results = check([...inputs, ...mutants.map(([n, j]) => [n, JSON.stringify(j, null, 2)])]);
let failed = false;
for (let i = 0; i < inputs.length; ++i) {
  for (const m of results[i]) console.error(m);
  if (results[i].length > 0) failed = true;
  else console.log(`${inputs[i][0]}: OK (@grafana/schema Dashboard)`);
}
mutants.forEach(([name], k) => {
  if (results[inputs.length + k].length === 0) {
    console.error(`${name}: accepted, but the check must reject it`);
    failed = true;
  }
});
process.exit(failed ? 1 : 0);
