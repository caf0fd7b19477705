// Drives `kerasverse ui` pages in headless Chromium with playwright-core.
//   node browser_driver.js NODE_MODULES CHROMIUM PLAN.json
// PLAN: {"base": URL, "shots": DIR, "pages": [{"name", "path", "click"?}],
//        "watch"?: {"path", "timeout_ms"}}
// For each page: waits for window.kvReady, then reports the cells marked
// data-field, the figures' drawn state, links, console/page errors, and saves
// a screenshot DIR/NAME.png. With "watch", it opens that page, prints
// {"event": "open"}, waits until the page has updated itself (window.kvUpdates)
// and reports the page again. One JSON object per line on stdout.
"use strict";
const path = require("path");
const fs = require("fs");
const [nodeModules, executablePath, planPath] = process.argv.slice(2);
const { chromium } = require(path.join(nodeModules, "playwright-core"));
const plan = JSON.parse(fs.readFileSync(planPath, "utf8"));

async function collect(page) {
  return page.evaluate(() => {
    const cells = {};
    document.querySelectorAll("table[id]").forEach((table) => {
      cells[table.id] = Array.from(table.querySelectorAll("tbody tr")).map((row) => {
        const out = {};
        row.querySelectorAll("[data-field]").forEach((cell) => {
          if (!cell.dataset.value) return;
          out[cell.dataset.field] = JSON.parse(cell.dataset.value);
        });
        return out;
      });
    });
    const figures = {};
    document.querySelectorAll("[data-figure]").forEach((node) => {
      figures[node.dataset.figure] = {
        drawn: node.dataset.drawn || null,
        traces: node.data ? node.data.length : 0,
        points: node.data ? node.data.reduce((n, t) => n + (t.x ? t.x.length : 0), 0) : 0,
      };
    });
    const texts = {};
    document.querySelectorAll("[id]").forEach((node) => {
      if (["SPAN", "P", "DIV", "TD"].includes(node.tagName) && node.children.length === 0) texts[node.id] = node.textContent;
    });
    return {
      title: document.title,
      h1: document.querySelector("h1") ? document.querySelector("h1").textContent : null,
      cells, figures, texts,
      errors: Array.from(document.querySelectorAll(".error")).map((n) => n.textContent),
      links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href")),
      body: document.body.innerText.slice(0, 4000),
      updates: window.kvUpdates || 0,
    };
  });
}

async function open(browser, url, consoleErrors) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (message) => { if (message.type() === "error") consoleErrors.push(message.text()); });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(url);
  await page.waitForFunction(() => window.kvReady === true, null, { timeout: 60000 });
  return page;
}

(async () => {
  const browser = await chromium.launch({
    executablePath, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--no-first-run", "--disable-sync"],
  });
  try {
    for (const step of plan.pages || []) {
      const consoleErrors = [];
      const page = await open(browser, plan.base + step.path, consoleErrors);
      if (step.click) {
        await Promise.all([page.waitForNavigation(), page.click(step.click)]);
        await page.waitForFunction(() => window.kvReady === true, null, { timeout: 60000 });
      }
      await page.waitForTimeout(300);
      const result = await collect(page);
      result.url = page.url();
      if (plan.shots) await page.screenshot({ path: path.join(plan.shots, step.name + ".png"), fullPage: true });
      process.stdout.write(JSON.stringify({ event: "page", name: step.name, consoleErrors, ...result }) + "\n");
      await page.close();
    }
    if (plan.watch) {
      const consoleErrors = [];
      const page = await open(browser, plan.base + plan.watch.path, consoleErrors);
      const before = await collect(page);
      process.stdout.write(JSON.stringify({ event: "open", ...before }) + "\n");
      await page.waitForFunction(() => (window.kvUpdates || 0) > 0, null, { timeout: plan.watch.timeout_ms || 60000 });
      await page.waitForTimeout(500);
      const after = await collect(page);
      process.stdout.write(JSON.stringify({ event: "updated", consoleErrors, ...after }) + "\n");
    }
  } finally {
    await browser.close();
  }
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
