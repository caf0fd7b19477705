// Drives the sentiment page in headless Chromium with playwright-core:
// node drive_text.js URL NODE_MODULES CHROMIUM -> one JSON line with the page's
// token ids and probabilities before and after fine-tuning.
"use strict";
const path = require("path");
const [url, nodeModules, executablePath] = process.argv.slice(2);
const { chromium } = require(path.join(nodeModules, "playwright-core"));

(async () => {
  const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(url);
    await page.evaluate(() => window.kvReady);
    const status = await page.textContent("#status");
    const before = await page.evaluate(() => window.kvPredictSamples());
    const tuned = await page.evaluate(() => window.kvFineTune(5));
    const log = await page.textContent("#finetune-log");
    process.stdout.write(JSON.stringify({ status, before, tuned, log, errors }) + "\n");
  } finally {
    await browser.close();
  }
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
