// kerasverse-layers.js: the Keras 3 layers tfjs-layers 4.22 lacks, for models
// exported by kerasverse.export.tfjs.save_model (written next to model.json).
//
// Node:    require("./kerasverse-layers.js")(tf);   // before tf.loadLayersModel
// Browser: <script src="tf.min.js"></script><script src="kerasverse-layers.js"></script>
//          (registers with the global `tf`; also exposed as window.kerasverseLayers)
//
// Every layer is written with tfjs ops only, so gradients come from tfjs'
// autodiff and `model.fit` trains them. Registered classes:
//   GRU / GRUCell         tfjs' own, plus reset_after=true (the Keras 3 default)
//   LayerNormalization    tfjs' own, plus rms_scaling=true
//   GlobalAveragePooling1D tfjs' own, plus Keras' masked average
//   UnitNormalization, IdentityLayer (Keras' Identity: "Identity" is taken by
//   tfjs' initializer of that name)
//   PositionEmbedding, TokenAndPositionEmbedding, TransformerEncoder,
//   TransformerDecoder (self-attention only, no cache): kerasverse.nlp layers
// The weights of the nlp layers are named like the Keras variables' paths
// (e.g. `transformer_encoder/self_attention/query/kernel`).
"use strict";
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.kerasverseLayers = factory;
    if (root.tf) factory(root.tf);
  }
})(typeof self !== "undefined" ? self : this, function register(tf) {
  if (tf.__kerasverseLayers) return tf.__kerasverseLayers;

  const LARGE_NEGATIVE = -1e9; // Keras' masked-softmax fill for float32.

  function single(x) {
    return Array.isArray(x) ? x[0] : x;
  }

  function activation(name) {
    switch (name == null ? "linear" : name) {
      case "linear":
        return (x) => x;
      case "relu":
        return (x) => tf.relu(x);
      case "gelu": // Keras' default: exact (erf) GELU.
        return (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
      case "gelu_approximate":
      case "geluApproximate": // tfjs camel-cases string values when it parses a config
        return (x) =>
          tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
      case "tanh":
        return (x) => tf.tanh(x);
      case "sigmoid":
        return (x) => tf.sigmoid(x);
      case "silu":
      case "swish":
        return (x) => tf.mul(x, tf.sigmoid(x));
      default:
        throw new Error(`kerasverse-layers.js: unsupported activation '${name}'.`);
    }
  }

  // x (..., inDim) @ kernel (inDim, ...outShape) + bias: Keras' Dense / EinsumDense projections.
  function project(x, kernel, bias) {
    const inDim = kernel.shape[0];
    const outShape = kernel.shape.slice(1);
    const outSize = outShape.reduce((a, b) => a * b, 1);
    let y = tf.matMul(tf.reshape(x, [-1, inDim]), tf.reshape(kernel, [inDim, outSize]));
    if (bias != null) y = tf.add(y, tf.reshape(bias, [outSize]));
    return tf.reshape(y, x.shape.slice(0, -1).concat(outShape));
  }

  function layerNorm(x, gamma, beta, epsilon) {
    const { mean, variance } = tf.moments(x, -1, true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    if (gamma != null) y = tf.mul(y, gamma);
    if (beta != null) y = tf.add(y, beta);
    return y;
  }

  function dropout(x, rate, training) {
    return training && rate > 0 ? tf.dropout(x, rate) : x;
  }

  // ----------------------------------------------------------------- GRU
  const TfGRUCell = tf.layers.gruCell({ units: 1 }).constructor;
  const TfGRU = tf.layers.gru({ units: 1 }).constructor;

  class GRUCell extends TfGRUCell {
    constructor(args) {
      const { resetAfter, ...rest } = args;
      super(rest);
      this.resetAfter = resetAfter == null ? false : Boolean(resetAfter);
    }

    build(inputShape) {
      if (!this.resetAfter) return super.build(inputShape);
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const inputDim = inputShape[inputShape.length - 1];
      this.kernel = this.addWeight("kernel", [inputDim, this.units * 3], null, this.kernelInitializer,
        this.kernelRegularizer, true, this.kernelConstraint);
      this.recurrentKernel = this.addWeight("recurrent_kernel", [this.units, this.units * 3], null,
        this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
      // Keras: separate input and recurrent biases, shape (2, 3 * units).
      this.bias = this.useBias
        ? this.addWeight("bias", [2, this.units * 3], null, this.biasInitializer, this.biasRegularizer, true,
          this.biasConstraint)
        : null;
      this.built = true;
    }

    call(inputs, kwargs) {
      if (!this.resetAfter) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const training = kwargs != null && kwargs.training === true;
        let x = inputs[0];
        const hPrev = inputs[1];
        x = dropout(x, this.dropout, training);
        let matrixX = tf.matMul(x, this.kernel.read());
        let matrixInner = tf.matMul(dropout(hPrev, this.recurrentDropout, training), this.recurrentKernel.read());
        if (this.useBias) {
          const [inputBias, recurrentBias] = tf.unstack(this.bias.read());
          matrixX = tf.add(matrixX, inputBias);
          matrixInner = tf.add(matrixInner, recurrentBias);
        }
        const [xZ, xR, xH] = tf.split(matrixX, 3, -1);
        const [rZ, rR, rH] = tf.split(matrixInner, 3, -1);
        const z = this.recurrentActivation.apply(tf.add(xZ, rZ));
        const r = this.recurrentActivation.apply(tf.add(xR, rR));
        const hh = this.activation.apply(tf.add(xH, tf.mul(r, rH)));
        const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), hh));
        return [h, h];
      });
    }

    getConfig() {
      return { ...super.getConfig(), resetAfter: this.resetAfter };
    }
  }
  GRUCell.className = "GRUCell";

  class GRU extends TfGRU {
    constructor(args) {
      const { resetAfter, ...rest } = args;
      super(rest);
      if (resetAfter) {
        // RNN keeps the cell it was built with; swap in ours before anything is built.
        this.cell = new GRUCell({ ...rest, resetAfter: true });
      }
    }

    getConfig() {
      return { ...super.getConfig(), resetAfter: Boolean(this.cell.resetAfter) };
    }
  }
  GRU.className = "GRU";

  // --------------------------------------------------- LayerNormalization
  const TfLayerNormalization = tf.layers.layerNormalization({}).constructor;

  class LayerNormalization extends TfLayerNormalization {
    constructor(args) {
      const { rmsScaling, ...rest } = args || {};
      super(rest);
      this.rmsScaling = Boolean(rmsScaling);
    }

    build(inputShape) {
      if (!this.rmsScaling) return super.build(inputShape);
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const rank = inputShape.length;
      const axes = (Array.isArray(this.axis) ? this.axis : [this.axis]).map((a) => (a < 0 ? a + rank : a));
      this.axis = axes;
      const shape = axes.map((a) => inputShape[a]);
      // Keras: with rms_scaling there is a gamma and no beta.
      this.gamma = this.addWeight("gamma", shape, "float32", this.gammaInitializer, this.gammaRegularizer, true);
      this.beta = null;
      this.built = true;
    }

    call(inputs, kwargs) {
      if (!this.rmsScaling) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const x = single(inputs);
        const rank = x.rank;
        const { variance } = tf.moments(x, this.axis, true);
        // Keras' rms_scaling: x * rsqrt(var(x) + eps) * gamma (not centered).
        let y = tf.mul(x, tf.rsqrt(tf.add(variance, this.epsilon)));
        const broadcast = new Array(rank).fill(1);
        this.axis.forEach((a) => (broadcast[a] = x.shape[a]));
        y = tf.mul(y, tf.reshape(this.gamma.read(), broadcast));
        return y;
      });
    }

    getConfig() {
      const config = super.getConfig();
      if (this.rmsScaling) config.rmsScaling = true;
      return config;
    }
  }
  LayerNormalization.className = "LayerNormalization";

  // ---------------------------------------------- GlobalAveragePooling1D
  const TfGlobalAveragePooling1D = tf.layers.globalAveragePooling1d({}).constructor;

  class GlobalAveragePooling1D extends TfGlobalAveragePooling1D {
    constructor(args) {
      super(args || {});
      this.supportsMasking = true;
    }

    call(inputs, kwargs) {
      const mask = kwargs != null ? kwargs.mask : null;
      if (mask == null) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        // Keras 3: the average over the unmasked steps only.
        const x = single(inputs);
        const m = tf.expandDims(tf.cast(single(mask), x.dtype), -1);
        return tf.div(tf.sum(tf.mul(x, m), 1), tf.sum(m, 1));
      });
    }

    computeMask() {
      return null;
    }
  }
  GlobalAveragePooling1D.className = "GlobalAveragePooling1D";

  // ---------------------------------------------- UnitNormalization, Identity
  class UnitNormalization extends tf.layers.Layer {
    constructor(args) {
      super(args || {});
      this.axis = args && args.axis != null ? args.axis : -1;
      this.supportsMasking = true;
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const axes = Array.isArray(this.axis) ? this.axis : [this.axis];
        // Keras: x * min(rsqrt(sum(x^2)), 1 / 1e-12).
        const inv = tf.minimum(tf.rsqrt(tf.sum(tf.square(x), axes, true)), 1e12);
        return tf.mul(x, inv);
      });
    }

    getConfig() {
      return { ...super.getConfig(), axis: this.axis };
    }
  }
  UnitNormalization.className = "UnitNormalization";

  class IdentityLayer extends tf.layers.Layer {
    constructor(args) {
      super(args || {});
      this.supportsMasking = true;
    }

    call(inputs) {
      return tf.tidy(() => tf.clone(single(inputs)));
    }

    computeMask(inputs, mask) {
      return mask;
    }
  }
  IdentityLayer.className = "IdentityLayer";

  // ------------------------------------------------------ nlp embeddings
  // Initial values only matter for layers created in JS; exported weights replace them.
  function initializer(config, fallback) {
    return fallback;
  }

  class PositionEmbedding extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.sequenceLength = args.sequenceLength;
      this.initializerConfig = args.initializer;
      this.supportsMasking = true;
    }

    build(inputShape) {
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const hidden = inputShape[inputShape.length - 1];
      this.embeddings = this.addWeight("embeddings", [this.sequenceLength, hidden], "float32",
        initializer(this.initializerConfig, tf.initializers.glorotUniform({})));
      this.built = true;
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const length = x.shape[x.rank - 2];
        if (length > this.sequenceLength) {
          throw new Error(`PositionEmbedding: ${length} positions, but sequence_length=${this.sequenceLength}.`);
        }
        const table = tf.slice(this.embeddings.read(), [0, 0], [length, -1]);
        return tf.broadcastTo(table, x.shape);
      });
    }

    computeMask(inputs, mask) {
      return mask;
    }

    getConfig() {
      return { ...super.getConfig(), sequenceLength: this.sequenceLength, initializer: this.initializerConfig };
    }
  }
  PositionEmbedding.className = "PositionEmbedding";

  class TokenAndPositionEmbedding extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.vocabularySize = args.vocabularySize;
      this.sequenceLength = args.sequenceLength;
      this.embeddingDim = args.embeddingDim;
      this.tieWeights = args.tieWeights == null ? true : args.tieWeights;
      this.maskZero = Boolean(args.maskZero);
      this.embeddingsInitializerConfig = args.embeddingsInitializer;
      this.supportsMasking = this.maskZero;
    }

    build() {
      const init = () => initializer(this.embeddingsInitializerConfig, tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }));
      this.tokenEmbeddings = this.addWeight("token_embedding/embeddings", [this.vocabularySize, this.embeddingDim],
        "float32", init());
      this.positionEmbeddings = this.addWeight("position_embedding/embeddings", [this.sequenceLength, this.embeddingDim],
        "float32", init());
      this.built = true;
    }

    computeOutputShape(inputShape) {
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      return inputShape.concat([this.embeddingDim]);
    }

    call(inputs) {
      return tf.tidy(() => {
        const ids = tf.cast(single(inputs), "int32");
        const tokens = tf.gather(this.tokenEmbeddings.read(), ids);
        const length = ids.shape[ids.rank - 1];
        const positions = tf.slice(this.positionEmbeddings.read(), [0, 0], [length, -1]);
        return tf.add(tokens, positions);
      });
    }

    computeMask(inputs) {
      if (!this.maskZero) return null;
      return tf.notEqual(single(inputs), 0);
    }

    getConfig() {
      return {
        ...super.getConfig(),
        vocabularySize: this.vocabularySize,
        sequenceLength: this.sequenceLength,
        embeddingDim: this.embeddingDim,
        tieWeights: this.tieWeights,
        maskZero: this.maskZero,
        embeddingsInitializer: this.embeddingsInitializerConfig,
      };
    }
  }
  TokenAndPositionEmbedding.className = "TokenAndPositionEmbedding";

  // ----------------------------------------------------- transformer blocks
  class TransformerBlock extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.intermediateDim = args.intermediateDim;
      this.numHeads = args.numHeads;
      this.dropoutRate = args.dropout || 0;
      this.activationName = args.activation == null ? "relu" : args.activation;
      this.layerNormEpsilon = args.layerNormEpsilon == null ? 1e-5 : args.layerNormEpsilon;
      this.normalizeFirst = Boolean(args.normalizeFirst);
      this.activationFn = activation(this.activationName);
      this.supportsMasking = true;
    }

    _dense(name, shape) {
      const kernel = this.addWeight(`${name}/kernel`, shape, "float32", tf.initializers.glorotUniform({}));
      const bias = this.addWeight(`${name}/bias`, shape.slice(shape.length === 3 && name.endsWith("attention_output") ? 2 : 1),
        "float32", tf.initializers.zeros());
      return { kernel, bias };
    }

    _norm(name, hidden) {
      return {
        gamma: this.addWeight(`${name}/gamma`, [hidden], "float32", tf.initializers.ones()),
        beta: this.addWeight(`${name}/beta`, [hidden], "float32", tf.initializers.zeros()),
      };
    }

    _buildAttention(name, hidden) {
      // Keras: head size width // num_heads; the output projection maps heads * size back to width.
      const size = Math.floor(hidden / this.numHeads);
      const heads = this.numHeads;
      return {
        size,
        query: this._dense(`${name}/query`, [hidden, heads, size]),
        key: this._dense(`${name}/key`, [hidden, heads, size]),
        value: this._dense(`${name}/value`, [hidden, heads, size]),
        output: this._dense(`${name}/attention_output`, [heads, size, hidden]),
        norm: this._norm(`${name}_layer_norm`, hidden),
      };
    }

    _buildFeedforward(hidden) {
      this.ffNorm = this._norm("feedforward_layer_norm", hidden);
      this.ffIn = this._dense("feedforward_intermediate_dense", [hidden, this.intermediateDim]);
      this.ffOut = this._dense("feedforward_output_dense", [this.intermediateDim, hidden]);
    }

    // mask: boolean (batch, 1 | query_len, key_len) or null.
    _attend(att, x, mask, training) {
      const read = (d) => [d.kernel.read(), d.bias.read()];
      const toHeads = (t) => tf.transpose(t, [0, 2, 1, 3]); // (b, t, h, d) -> (b, h, t, d)
      let q = project(x, ...read(att.query));
      const k = project(x, ...read(att.key));
      const v = project(x, ...read(att.value));
      q = tf.mul(q, 1 / Math.sqrt(att.size));
      let scores = tf.matMul(toHeads(q), toHeads(k), false, true); // (b, h, tq, tk)
      let keep = null;
      if (mask != null) {
        keep = tf.expandDims(mask, 1); // broadcast over heads
        scores = tf.where(tf.broadcastTo(keep, scores.shape), scores, tf.fill(scores.shape, LARGE_NEGATIVE));
      }
      let probabilities = tf.softmax(scores, -1);
      if (keep != null) probabilities = tf.mul(probabilities, tf.cast(keep, probabilities.dtype));
      probabilities = dropout(probabilities, this.dropoutRate, training);
      const context = tf.transpose(tf.matMul(probabilities, toHeads(v)), [0, 2, 1, 3]); // (b, tq, h, d)
      const [kernel, bias] = read(att.output);
      const hidden = kernel.shape[2];
      const flat = tf.matMul(tf.reshape(context, [-1, kernel.shape[0] * kernel.shape[1]]),
        tf.reshape(kernel, [kernel.shape[0] * kernel.shape[1], hidden]));
      return tf.reshape(tf.add(flat, bias), x.shape.slice(0, -1).concat([hidden]));
    }

    _residual(x, sublayer, norm, training) {
      const gamma = norm.gamma.read();
      const beta = norm.beta.read();
      let y = this.normalizeFirst ? layerNorm(x, gamma, beta, this.layerNormEpsilon) : x;
      y = tf.add(dropout(sublayer(y), this.dropoutRate, training), x);
      return this.normalizeFirst ? y : layerNorm(y, gamma, beta, this.layerNormEpsilon);
    }

    _feedforward(x, training) {
      return this._residual(x, (y) => {
        const h = this.activationFn(project(y, this.ffIn.kernel.read(), this.ffIn.bias.read()));
        return project(h, this.ffOut.kernel.read(), this.ffOut.bias.read());
      }, this.ffNorm, training);
    }

    computeMask(inputs, mask) {
      return Array.isArray(mask) ? mask[0] : mask;
    }

    getConfig() {
      return {
        ...super.getConfig(),
        intermediateDim: this.intermediateDim,
        numHeads: this.numHeads,
        dropout: this.dropoutRate,
        activation: this.activationName,
        layerNormEpsilon: this.layerNormEpsilon,
        normalizeFirst: this.normalizeFirst,
      };
    }
  }

  function paddingMask(mask, queryLength) {
    // (batch, key_len) -> (batch, 1, key_len): padded keys are ignored (Keras/keras_hub).
    if (mask == null) return null;
    const m = tf.cast(single(mask), "bool");
    return queryLength == null ? tf.expandDims(m, 1) : tf.expandDims(m, 1);
  }

  class TransformerEncoder extends TransformerBlock {
    build(inputShape) {
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const hidden = inputShape[inputShape.length - 1];
      if (Math.floor(hidden / this.numHeads) === 0) {
        throw new Error(`TransformerEncoder: width ${hidden} is smaller than num_heads=${this.numHeads}.`);
      }
      this.attention = this._buildAttention("self_attention", hidden);
      this._buildFeedforward(hidden);
      this.built = true;
    }

    call(inputs, kwargs) {
      return tf.tidy(() => {
        const training = kwargs != null && kwargs.training === true;
        const x = single(inputs);
        const mask = paddingMask(kwargs != null ? kwargs.mask : null);
        const y = this._residual(x, (z) => this._attend(this.attention, z, mask, training), this.attention.norm, training);
        return this._feedforward(y, training);
      });
    }
  }
  TransformerEncoder.className = "TransformerEncoder";

  class TransformerDecoder extends TransformerBlock {
    build(inputShape) {
      if (Array.isArray(inputShape[0]) && inputShape.length > 1) {
        throw new Error("kerasverse-layers.js: TransformerDecoder with cross-attention is not supported.");
      }
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const hidden = inputShape[inputShape.length - 1];
      this.attention = this._buildAttention("self_attention", hidden);
      this._buildFeedforward(hidden);
      this.built = true;
    }

    call(inputs, kwargs) {
      return tf.tidy(() => {
        const training = kwargs != null && kwargs.training === true;
        const x = single(inputs);
        const length = x.shape[1];
        // Causal: query i sees keys j <= i; combined with the padding mask of the keys.
        const causal = tf.greaterEqual(tf.expandDims(tf.range(0, length, 1, "int32"), 1),
          tf.expandDims(tf.range(0, length, 1, "int32"), 0));
        let mask = tf.broadcastTo(tf.expandDims(causal, 0), [x.shape[0], length, length]);
        const padding = paddingMask(kwargs != null ? kwargs.mask : null);
        if (padding != null) mask = tf.logicalAnd(mask, tf.broadcastTo(padding, mask.shape));
        const y = this._residual(x, (z) => this._attend(this.attention, z, mask, training), this.attention.norm, training);
        return this._feedforward(y, training);
      });
    }
  }
  TransformerDecoder.className = "TransformerDecoder";

  const classes = [GRUCell, GRU, LayerNormalization, GlobalAveragePooling1D, UnitNormalization, IdentityLayer,
    PositionEmbedding, TokenAndPositionEmbedding, TransformerEncoder, TransformerDecoder];
  classes.forEach((cls) => tf.serialization.registerClass(cls));
  const api = { version: "1", classes: classes.map((cls) => cls.className) };
  tf.__kerasverseLayers = api;
  return api;
});
