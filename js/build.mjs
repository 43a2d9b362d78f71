// Bundle each panel into one ESM file in nemo_widgets/static/ (anywidget loads them as _esm).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = new URL("../nemo_widgets/static/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const entries = ["upload", "prompt", "export", "timeline", "box", "status"];
await build({
  entryPoints: entries.map((e) => `src/${e}.js`),
  bundle: true,
  format: "esm",
  target: "es2020",
  outdir: out,
  logLevel: "warning",
});
copyFileSync("src/widgets.css", `${out}widgets.css`);
console.log(`built ${entries.length} modules into ${out}`);
