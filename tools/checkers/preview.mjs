// Drive `briefing preview` in Debian's Chromium for tests/test_preview.py, offline.
// Usage: node preview.mjs URL   then, on stdin, one JSON line per step: {"expect": "text"}.
// For each step: wait (never reloading the page itself) until the page's text contains
// "text", then print "seen"; after 120 s print "timeout: <what the page shows>".
import { launch } from "./browser.mjs";
import readline from "node:readline";

const url = process.argv[2];
const origin = new URL(url).origin;
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.route("**/*", (route) => {
    const target = route.request().url();
    return target.startsWith(origin) || target.startsWith("data:") ? route.continue() : route.abort();
  });
  await page.goto(url);
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const { expect } = JSON.parse(line);
    const deadline = Date.now() + 120000;
    let text = "";
    let seen = false;
    while (Date.now() < deadline) {
      try {  // the page may be reloading itself: its context can vanish mid-call
        text = await page.evaluate(() => (document.body ? document.body.innerText : ""));
        if (text.includes(expect)) { seen = true; break; }
      } catch (error) { /* reloading */ }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(seen ? "seen" : `timeout: ${text.slice(0, 300).replace(/\s+/g, " ")}`);
  }
} finally {
  await browser.close();
}
