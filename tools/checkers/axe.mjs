// Run axe-core's WCAG 2.1 A/AA rules and its best practices (landmarks, headings, ...) on
// a local HTML file in Debian's Chromium, offline.
// Usage: node axe.mjs FILE.html   -> prints violations, exit 1 if any.
import { launch } from "./browser.mjs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import path from "node:path";

// axe's tags: the WCAG 2.0 and 2.1 level A and AA rules, and its best practices.
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const require = createRequire(import.meta.url);
const file = path.resolve(process.argv[2]);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.route("**/*", (route) =>
    route.request().url().startsWith("file:") || route.request().url().startsWith("data:")
      ? route.continue() : route.abort());
  await page.goto(pathToFileURL(file).href);
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate((tags) => axe.run(document, {
    runOnly: { type: "tag", values: tags },
  }), TAGS);
  for (const v of result.violations) {
    console.log(`${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s), e.g. ${v.nodes[0].target}`);
  }
  console.log(`axe: ${result.violations.length} violation(s), ${result.passes.length} rule(s) passed`);
  process.exitCode = result.violations.length ? 1 : 0;
} finally {
  await browser.close();
}
