// Debian's Chromium, launched the same way for every checker: offline, no sandbox (CI
// containers), nothing downloaded by playwright-core itself.
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
           "--no-first-run", "--disable-sync", "--disable-gpu"],
  });
}
