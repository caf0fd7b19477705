// kerasverse ui: draws the Plotly figures from the JSON routes and, on a
// study page, polls the study's revision so a running search updates live.
"use strict";
(function () {
  const dataNode = document.getElementById("kv-data");
  const data = dataNode ? JSON.parse(dataNode.textContent) : {};
  const POLL_MS = 2000;
  window.kvReady = false;
  window.kvUpdates = 0;

  function plot(node, figure) {
    if (!figure) {
      if (node.dataset.figure === "pareto") {
        node.parentElement.style.display = "none";
      } else {
        node.innerHTML = '<p class="empty">' + node.dataset.figure + ": not enough completed trials yet.</p>";
      }
      node.dataset.drawn = "empty";
      return;
    }
    node.parentElement.style.display = "";
    Plotly.react(node, figure.data, figure.layout, { responsive: true, displaylogo: false });
    node.dataset.drawn = "plot";
  }

  async function getJSON(url) {
    const response = await fetch(url, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  async function drawFigures(url) {
    const result = await getJSON(url);
    document.querySelectorAll("[data-figure]").forEach((node) => {
      if (node.dataset.figure in result.figures) plot(node, result.figures[node.dataset.figure]);
    });
    return result;
  }

  function showError(message) {
    let box = document.getElementById("live-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "live-error";
      box.className = "error";
      document.querySelector("main").prepend(box);
    }
    box.textContent = message;
  }

  async function refreshStudyParts() {
    const response = await fetch(window.location.href, { cache: "no-store" });
    const html = await response.text();
    const doc = new DOMParser().parseFromString(html, "text/html");
    for (const selector of [".summary", ".pager-line", "#trials"]) {
      const fresh = doc.querySelector(selector);
      const old = document.querySelector(selector);
      if (fresh && old) old.replaceWith(fresh);
    }
  }

  async function studyPage() {
    const base = "/api/studies/" + data.key;
    let revision = data.revision;
    try {
      await drawFigures(base + "/figures");
      await drawFigures(base + "/importance");
    } catch (error) {
      showError("Figures could not be drawn: " + error.message);
    }
    window.kvReady = true;
    setInterval(async () => {
      try {
        const summary = await getJSON(base);
        if (summary.revision !== revision) {
          revision = summary.revision;
          await refreshStudyParts();
          await drawFigures(base + "/figures");
          await drawFigures(base + "/importance");
          window.kvUpdates += 1;
        }
      } catch (error) {
        showError("Live update failed: " + error.message);
      }
    }, POLL_MS);
  }

  async function figurePage() {
    // Pages that embed their figures (pipelines, models) in data.figures.
    document.querySelectorAll("[data-figure]").forEach((node) => plot(node, (data.figures || {})[node.dataset.figure]));
    window.kvReady = true;
  }

  window.addEventListener("DOMContentLoaded", () => {
    const run = data.page === "study" ? studyPage : figurePage;
    run().catch((error) => { showError(String(error)); window.kvReady = true; });
  });
})();
