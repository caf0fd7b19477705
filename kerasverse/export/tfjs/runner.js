// The TF.js side of kerasverse.export.tfjs: loads Layers-format exports with
// the real `tf.loadLayersModel`, runs, inspects and fine-tunes them.
//
// Usage: node runner.js JOB.json   (JOB.json: {"node_modules": DIR, "tasks": [...]})
// Prints one JSON line: {"results": [...]} with one entry per task. A task
// that fails reports {"error": message} and the others still run.
"use strict";
const fs = require("fs");
const path = require("path");

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const tf = require(path.join(job.node_modules, "@tensorflow", "tfjs"));

// Read model.json and its shards through tfjs' own HTTP loader, so the same
// code path as in a browser parses the manifest, joins shards and dequantizes.
function fileFetch(url) {
  const filePath = decodeURIComponent(new URL(url).pathname);
  try {
    const data = fs.readFileSync(filePath);
    return Promise.resolve(new Response(data, { status: 200 }));
  } catch (error) {
    return Promise.resolve(new Response(String(error), { status: 404 }));
  }
}

function load(modelDir) {
  // The layers tfjs-layers lacks, exported next to model.json (registers them once).
  const companion = path.resolve(modelDir, "kerasverse-layers.js");
  if (fs.existsSync(companion)) require(companion)(tf);
  const url = "file://" + path.resolve(modelDir, "model.json");
  return tf.loadLayersModel(tf.io.http(url, { fetchFunc: fileFetch }));
}

const TYPED = { float32: Float32Array, int32: Int32Array };

function readTensor(spec) {
  const bytes = fs.readFileSync(spec.file);
  const Typed = TYPED[spec.dtype];
  const values = new Typed(bytes.buffer, bytes.byteOffset, bytes.byteLength / Typed.BYTES_PER_ELEMENT);
  return tf.tensor(Array.from(values), spec.shape, spec.dtype);
}

function writeTensors(tensors, prefix) {
  return tensors.map((t, i) => {
    const file = `${prefix}_${i}.bin`;
    const values = Float32Array.from(t.dataSync());
    fs.writeFileSync(file, Buffer.from(values.buffer));
    return { file, shape: t.shape, dtype: "float32" };
  });
}

function asList(x) {
  return Array.isArray(x) ? x : [x];
}

// Writes what `model.save` produces the way tfjs-node's `file://` handler
// does: model.json (format layers-model) plus one weights.bin.
function fileSaveHandler(outDir) {
  return tf.io.withSaveHandler(async (artifacts) => {
    fs.mkdirSync(outDir, { recursive: true });
    const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    fs.writeFileSync(path.join(outDir, "weights.bin"), Buffer.from(weightData));
    const modelJSON = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
    };
    if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
    fs.writeFileSync(path.join(outDir, "model.json"), JSON.stringify(modelJSON));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function runTask(task) {
  if (task.op === "classes") {
    if (task.companion) require(path.resolve(task.companion))(tf);
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    return { classes: Object.keys(map).sort() };
  }
  if (task.op === "tokenize") {
    // kerasverse-layers.js' WordPieceTokenizer on a vocabulary file (errors name the file and line).
    const companion = require(path.resolve(task.companion));
    const options = { ...task.options, vocabulary: fs.readFileSync(task.vocabulary_file), file: task.vocabulary_file };
    const tokenizer = new companion.WordPieceTokenizer(options);
    return { ids: task.texts.map((text) => tokenizer.tokenize(text)) };
  }
  const model = await load(task.model_dir);
  try {
    if (task.op === "inspect") {
      return {
        class_name: model.getClassName(),
        layers: model.layers.map((l) => ({ name: l.name, class_name: l.getClassName() })),
        weights: model.weights.map((w) => ({ name: w.originalName, shape: w.shape })),
        input_shapes: model.inputs.map((t) => t.shape),
        output_shapes: model.outputs.map((t) => t.shape),
      };
    }
    if (task.op === "predict") {
      const inputs = task.inputs.map(readTensor);
      const run = () => model.predict(inputs.length === 1 ? inputs[0] : inputs, { batchSize: task.batch_size || 32 });
      const outputs = asList(run());
      const result = { outputs: writeTensors(outputs, task.output_prefix) };
      if (task.repeat) {
        const times = [];
        for (let i = 0; i < task.repeat; i++) {
          const start = process.hrtime.bigint();
          const out = asList(run());
          out.forEach((t) => t.dataSync());
          times.push(Number(process.hrtime.bigint() - start) / 1e9);
          tf.dispose(out);
        }
        result.median_s = median(times);
      }
      tf.dispose(outputs);
      tf.dispose(inputs);
      return result;
    }
    if (task.op === "fit") {
      const inputs = task.inputs.map(readTensor);
      const targets = task.targets.map(readTensor);
      model.compile({ optimizer: tf.train.sgd(task.learning_rate), loss: task.loss });
      const history = await model.fit(
        inputs.length === 1 ? inputs[0] : inputs,
        targets.length === 1 ? targets[0] : targets,
        { epochs: task.epochs, batchSize: task.batch_size, shuffle: false, verbose: 0 },
      );
      await model.save(fileSaveHandler(task.save_dir));
      const outputs = asList(model.predict(inputs.length === 1 ? inputs[0] : inputs));
      const result = { loss: history.history.loss, outputs: writeTensors(outputs, task.output_prefix) };
      tf.dispose([...inputs, ...targets, ...outputs]);
      return result;
    }
    throw new Error(`Unknown task op: ${task.op}`);
  } finally {
    model.dispose();
  }
}

(async () => {
  await tf.setBackend("cpu");
  const results = [];
  for (const task of job.tasks) {
    try {
      results.push(await runTask(task));
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify({ backend: tf.getBackend(), version: tf.version.tfjs, results }) + "\n");
})();
