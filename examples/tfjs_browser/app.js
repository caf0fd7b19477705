// The digits page: loads the kerasverse export with tf.loadLayersModel,
// predicts the bundled samples and a drawn digit, and fine-tunes in the page.
// Test hooks: window.kvReady (a Promise), window.kvPredictSamples(),
// window.kvFineTune(steps).
"use strict";

let model = null;
let samples = null;

function pixelsFromCanvas(canvas) {
  // 8x8 canvas, white strokes on black -> values 0..16 like sklearn's digits.
  const data = canvas.getContext("2d").getImageData(0, 0, 8, 8).data;
  const values = [];
  for (let i = 0; i < 64; i++) values.push((data[i * 4] / 255) * 16);
  return values;
}

function drawSample(values) {
  const canvas = document.createElement("canvas");
  canvas.width = 8;
  canvas.height = 8;
  const context = canvas.getContext("2d");
  const image = context.createImageData(8, 8);
  values.forEach((v, i) => {
    const level = Math.round((v / 16) * 255);
    image.data.set([level, level, level, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
  return canvas;
}

function toInput(images) {
  return tf.tensor(images.flat(Infinity), [images.length, 8, 8, 1]);
}

async function predict(images) {
  const input = toInput(images);
  const output = model.predict(input);
  const probabilities = await output.array();
  tf.dispose([input, output]);
  return probabilities;
}

function argmax(row) {
  return row.indexOf(Math.max(...row));
}

async function predictSamples() {
  const probabilities = await predict(samples.images);
  document.getElementById("sample-results").textContent = probabilities
    .map((p, i) => `sample ${i}: predicted ${argmax(p)} (label ${samples.labels[i]})`)
    .join("\n");
  return probabilities;
}

async function fineTune(steps) {
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "sparseCategoricalCrossentropy" });
  const x = toInput(samples.images);
  const y = tf.tensor(samples.labels, [samples.labels.length, 1]);
  const history = await model.fit(x, y, { epochs: steps, batchSize: samples.labels.length, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  const losses = history.history.loss;
  document.getElementById("finetune-log").textContent = losses.map((l, i) => `step ${i + 1}: loss ${l.toFixed(4)}`).join("\n");
  return { losses, probabilities: await predictSamples() };
}

async function main() {
  await tf.setBackend(new URLSearchParams(location.search).get("backend") || "cpu");
  model = await tf.loadLayersModel("model/model.json");
  samples = await (await fetch("samples.json")).json();
  const container = document.getElementById("samples");
  samples.images.forEach((image) => container.appendChild(drawSample(image.flat())));
  await predictSamples();
  document.getElementById("status").textContent = `Model loaded (TF.js ${tf.version.tfjs}, backend ${tf.getBackend()}).`;

  const draw = document.getElementById("draw");
  const context = draw.getContext("2d");
  const clear = () => {
    context.fillStyle = "#000";
    context.fillRect(0, 0, 8, 8);
  };
  clear();
  let drawing = false;
  const paint = (event) => {
    if (!drawing) return;
    const rect = draw.getBoundingClientRect();
    const x = Math.floor(((event.clientX - rect.left) / rect.width) * 8);
    const y = Math.floor(((event.clientY - rect.top) / rect.height) * 8);
    context.fillStyle = "#fff";
    context.fillRect(x, y, 1, 1);
  };
  draw.addEventListener("mousedown", (e) => { drawing = true; paint(e); });
  draw.addEventListener("mousemove", paint);
  window.addEventListener("mouseup", () => { drawing = false; });
  document.getElementById("clear").onclick = clear;
  document.getElementById("predict-drawing").onclick = async () => {
    const [p] = await predict([pixelsFromCanvas(draw)]);
    document.getElementById("drawing-result").textContent = `Predicted ${argmax(p)} (${(100 * Math.max(...p)).toFixed(1)}%)`;
  };
  document.getElementById("finetune").onclick = () => fineTune(5);
}

window.kvPredictSamples = predictSamples;
window.kvFineTune = fineTune;
window.kvReady = main();
