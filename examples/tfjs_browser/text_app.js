// The sentiment page: raw text -> kerasverse-layers.js' WordPieceTokenizer (same ids as
// kerasverse.nlp) -> the exported TransformerEncoder classifier (tf.loadLayersModel, with the
// layers kerasverse-layers.js registers). Test hooks: window.kvReady, window.kvPredictSamples(),
// window.kvFineTune(steps).
"use strict";

let model = null;
let tokenizer = null;
let samples = null;

async function predict(texts) {
  const ids = tokenizer.tokenize(texts);
  const input = tf.tensor2d(ids, [ids.length, ids[0].length], "int32");
  const output = model.predict(input);
  const probabilities = await output.array();
  tf.dispose([input, output]);
  return { ids, probabilities };
}

async function predictSamples() {
  const result = await predict(samples.texts);
  document.getElementById("sample-results").textContent = result.probabilities
    .map((p, i) => `${samples.texts[i]} -> ${p[1] > p[0] ? "positive" : "negative"} (label ${samples.labels[i]})`)
    .join("\n");
  return result;
}

async function fineTune(steps) {
  model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy" });
  const ids = tokenizer.tokenize(samples.texts);
  const x = tf.tensor2d(ids, [ids.length, ids[0].length], "int32");
  const y = tf.tensor(samples.labels, [samples.labels.length, 1]);
  const history = await model.fit(x, y, { epochs: steps, batchSize: ids.length, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  const losses = history.history.loss;
  document.getElementById("finetune-log").textContent = losses.map((l, i) => `step ${i + 1}: loss ${l.toFixed(4)}`).join("\n");
  return { losses, probabilities: (await predictSamples()).probabilities };
}

async function main() {
  await tf.setBackend("cpu");
  const options = await (await fetch("model/tokenizer.json")).json();
  const vocabulary = await (await fetch("model/" + options.vocabulary)).text();
  tokenizer = new kerasverseLayers.WordPieceTokenizer({ ...options, vocabulary, file: options.vocabulary });
  model = await tf.loadLayersModel("model/model.json");
  samples = await (await fetch("samples.json")).json();
  await predictSamples();
  document.getElementById("status").textContent = `Model loaded (TF.js ${tf.version.tfjs}, backend ${tf.getBackend()}).`;
  document.getElementById("classify").onclick = async () => {
    const { probabilities } = await predict([document.getElementById("text").value]);
    const p = probabilities[0];
    document.getElementById("result").textContent = `${p[1] > p[0] ? "positive" : "negative"} (${(100 * Math.max(...p)).toFixed(1)}%)`;
  };
  document.getElementById("finetune").onclick = () => fineTune(5);
}

window.kvPredictSamples = predictSamples;
window.kvFineTune = fineTune;
window.kvReady = main();
