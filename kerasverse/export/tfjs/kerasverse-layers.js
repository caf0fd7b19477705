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
//   NgramEmbedding: kerasverse.automl's n-gram text layer
//   MultiHeadAttention, Attention, AdditiveAttention, EinsumDense, Conv1DTranspose,
//   DepthwiseConv1D, SeparableConv1D, GroupNormalization, Normalization,
//   ReversibleEmbedding, Adaptive{Average,Max}Pooling{1,2,3}D, ZeroPadding3D,
//   Cropping3D, UpSampling3D; CenterCrop and CategoryEncoding (tfjs' own are
//   broken in 4.22); and small ones (Subtract, RMSNormalization, 1D/3D variants)
// Also `WordPieceTokenizer` (require(...).WordPieceTokenizer / kerasverseLayers.WordPieceTokenizer):
// the ids of kerasverse.nlp.tokenizers.WordPieceTokenizer, from the same vocab.txt.
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
})(typeof self !== "undefined" ? self : this, (function () {

// ------------------------------------------------------------- WordPiece
// The same ids as kerasverse.nlp.tokenizers.WordPieceTokenizer (and
// keras_hub's): accents stripped (NFD, marks removed) when asked; split on
// whitespace/control/format characters (dropped), punctuation and CJK
// ideographs (kept as one-character words); Unicode case folding
// (NFKC_Casefold) when lowercase; greedy longest-match pieces; a word longer
// than 100 UTF-8 bytes, or with no tokenization, is the OOV token.
// Python's str.casefold where it differs from JS' per-character toLowerCase
// (code point -> folded string), generated from Python 3.11's Unicode tables.
const CASEFOLD = {"181":"\u03bc","223":"ss","329":"\u02bcn","383":"s","496":"j\u030c","837":"\u03b9","912":"\u03b9\u0308\u0301","944":"\u03c5\u0308\u0301","962":"\u03c3","976":"\u03b2","977":"\u03b8","981":"\u03c6","982":"\u03c0","1008":"\u03ba","1009":"\u03c1","1013":"\u03b5","1415":"\u0565\u0582","5024":"\u13a0","5025":"\u13a1","5026":"\u13a2","5027":"\u13a3","5028":"\u13a4","5029":"\u13a5","5030":"\u13a6","5031":"\u13a7","5032":"\u13a8","5033":"\u13a9","5034":"\u13aa","5035":"\u13ab","5036":"\u13ac","5037":"\u13ad","5038":"\u13ae","5039":"\u13af","5040":"\u13b0","5041":"\u13b1","5042":"\u13b2","5043":"\u13b3","5044":"\u13b4","5045":"\u13b5","5046":"\u13b6","5047":"\u13b7","5048":"\u13b8","5049":"\u13b9","5050":"\u13ba","5051":"\u13bb","5052":"\u13bc","5053":"\u13bd","5054":"\u13be","5055":"\u13bf","5056":"\u13c0","5057":"\u13c1","5058":"\u13c2","5059":"\u13c3","5060":"\u13c4","5061":"\u13c5","5062":"\u13c6","5063":"\u13c7","5064":"\u13c8","5065":"\u13c9","5066":"\u13ca","5067":"\u13cb","5068":"\u13cc","5069":"\u13cd","5070":"\u13ce","5071":"\u13cf","5072":"\u13d0","5073":"\u13d1","5074":"\u13d2","5075":"\u13d3","5076":"\u13d4","5077":"\u13d5","5078":"\u13d6","5079":"\u13d7","5080":"\u13d8","5081":"\u13d9","5082":"\u13da","5083":"\u13db","5084":"\u13dc","5085":"\u13dd","5086":"\u13de","5087":"\u13df","5088":"\u13e0","5089":"\u13e1","5090":"\u13e2","5091":"\u13e3","5092":"\u13e4","5093":"\u13e5","5094":"\u13e6","5095":"\u13e7","5096":"\u13e8","5097":"\u13e9","5098":"\u13ea","5099":"\u13eb","5100":"\u13ec","5101":"\u13ed","5102":"\u13ee","5103":"\u13ef","5104":"\u13f0","5105":"\u13f1","5106":"\u13f2","5107":"\u13f3","5108":"\u13f4","5109":"\u13f5","5112":"\u13f0","5113":"\u13f1","5114":"\u13f2","5115":"\u13f3","5116":"\u13f4","5117":"\u13f5","7296":"\u0432","7297":"\u0434","7298":"\u043e","7299":"\u0441","7300":"\u0442","7301":"\u0442","7302":"\u044a","7303":"\u0463","7304":"\ua64b","7305":"\u1c89","7830":"h\u0331","7831":"t\u0308","7832":"w\u030a","7833":"y\u030a","7834":"a\u02be","7835":"\u1e61","7838":"ss","8016":"\u03c5\u0313","8018":"\u03c5\u0313\u0300","8020":"\u03c5\u0313\u0301","8022":"\u03c5\u0313\u0342","8064":"\u1f00\u03b9","8065":"\u1f01\u03b9","8066":"\u1f02\u03b9","8067":"\u1f03\u03b9","8068":"\u1f04\u03b9","8069":"\u1f05\u03b9","8070":"\u1f06\u03b9","8071":"\u1f07\u03b9","8072":"\u1f00\u03b9","8073":"\u1f01\u03b9","8074":"\u1f02\u03b9","8075":"\u1f03\u03b9","8076":"\u1f04\u03b9","8077":"\u1f05\u03b9","8078":"\u1f06\u03b9","8079":"\u1f07\u03b9","8080":"\u1f20\u03b9","8081":"\u1f21\u03b9","8082":"\u1f22\u03b9","8083":"\u1f23\u03b9","8084":"\u1f24\u03b9","8085":"\u1f25\u03b9","8086":"\u1f26\u03b9","8087":"\u1f27\u03b9","8088":"\u1f20\u03b9","8089":"\u1f21\u03b9","8090":"\u1f22\u03b9","8091":"\u1f23\u03b9","8092":"\u1f24\u03b9","8093":"\u1f25\u03b9","8094":"\u1f26\u03b9","8095":"\u1f27\u03b9","8096":"\u1f60\u03b9","8097":"\u1f61\u03b9","8098":"\u1f62\u03b9","8099":"\u1f63\u03b9","8100":"\u1f64\u03b9","8101":"\u1f65\u03b9","8102":"\u1f66\u03b9","8103":"\u1f67\u03b9","8104":"\u1f60\u03b9","8105":"\u1f61\u03b9","8106":"\u1f62\u03b9","8107":"\u1f63\u03b9","8108":"\u1f64\u03b9","8109":"\u1f65\u03b9","8110":"\u1f66\u03b9","8111":"\u1f67\u03b9","8114":"\u1f70\u03b9","8115":"\u03b1\u03b9","8116":"\u03ac\u03b9","8118":"\u03b1\u0342","8119":"\u03b1\u0342\u03b9","8124":"\u03b1\u03b9","8126":"\u03b9","8130":"\u1f74\u03b9","8131":"\u03b7\u03b9","8132":"\u03ae\u03b9","8134":"\u03b7\u0342","8135":"\u03b7\u0342\u03b9","8140":"\u03b7\u03b9","8146":"\u03b9\u0308\u0300","8147":"\u03b9\u0308\u0301","8150":"\u03b9\u0342","8151":"\u03b9\u0308\u0342","8162":"\u03c5\u0308\u0300","8163":"\u03c5\u0308\u0301","8164":"\u03c1\u0313","8166":"\u03c5\u0342","8167":"\u03c5\u0308\u0342","8178":"\u1f7c\u03b9","8179":"\u03c9\u03b9","8180":"\u03ce\u03b9","8182":"\u03c9\u0342","8183":"\u03c9\u0342\u03b9","8188":"\u03c9\u03b9","42955":"\ua7cb","42956":"\ua7cc","42958":"\ua7ce","42962":"\ua7d2","42964":"\ua7d4","42970":"\ua7da","42972":"\ua7dc","43888":"\u13a0","43889":"\u13a1","43890":"\u13a2","43891":"\u13a3","43892":"\u13a4","43893":"\u13a5","43894":"\u13a6","43895":"\u13a7","43896":"\u13a8","43897":"\u13a9","43898":"\u13aa","43899":"\u13ab","43900":"\u13ac","43901":"\u13ad","43902":"\u13ae","43903":"\u13af","43904":"\u13b0","43905":"\u13b1","43906":"\u13b2","43907":"\u13b3","43908":"\u13b4","43909":"\u13b5","43910":"\u13b6","43911":"\u13b7","43912":"\u13b8","43913":"\u13b9","43914":"\u13ba","43915":"\u13bb","43916":"\u13bc","43917":"\u13bd","43918":"\u13be","43919":"\u13bf","43920":"\u13c0","43921":"\u13c1","43922":"\u13c2","43923":"\u13c3","43924":"\u13c4","43925":"\u13c5","43926":"\u13c6","43927":"\u13c7","43928":"\u13c8","43929":"\u13c9","43930":"\u13ca","43931":"\u13cb","43932":"\u13cc","43933":"\u13cd","43934":"\u13ce","43935":"\u13cf","43936":"\u13d0","43937":"\u13d1","43938":"\u13d2","43939":"\u13d3","43940":"\u13d4","43941":"\u13d5","43942":"\u13d6","43943":"\u13d7","43944":"\u13d8","43945":"\u13d9","43946":"\u13da","43947":"\u13db","43948":"\u13dc","43949":"\u13dd","43950":"\u13de","43951":"\u13df","43952":"\u13e0","43953":"\u13e1","43954":"\u13e2","43955":"\u13e3","43956":"\u13e4","43957":"\u13e5","43958":"\u13e6","43959":"\u13e7","43960":"\u13e8","43961":"\u13e9","43962":"\u13ea","43963":"\u13eb","43964":"\u13ec","43965":"\u13ed","43966":"\u13ee","43967":"\u13ef","64256":"ff","64257":"fi","64258":"fl","64259":"ffi","64260":"ffl","64261":"st","64262":"st","64275":"\u0574\u0576","64276":"\u0574\u0565","64277":"\u0574\u056b","64278":"\u057e\u0576","64279":"\u0574\u056d","68944":"\ud803\udd50","68945":"\ud803\udd51","68946":"\ud803\udd52","68947":"\ud803\udd53","68948":"\ud803\udd54","68949":"\ud803\udd55","68950":"\ud803\udd56","68951":"\ud803\udd57","68952":"\ud803\udd58","68953":"\ud803\udd59","68954":"\ud803\udd5a","68955":"\ud803\udd5b","68956":"\ud803\udd5c","68957":"\ud803\udd5d","68958":"\ud803\udd5e","68959":"\ud803\udd5f","68960":"\ud803\udd60","68961":"\ud803\udd61","68962":"\ud803\udd62","68963":"\ud803\udd63","68964":"\ud803\udd64","68965":"\ud803\udd65","93856":"\ud81b\udea0","93857":"\ud81b\udea1","93858":"\ud81b\udea2","93859":"\ud81b\udea3","93860":"\ud81b\udea4","93861":"\ud81b\udea5","93862":"\ud81b\udea6","93863":"\ud81b\udea7","93864":"\ud81b\udea8","93865":"\ud81b\udea9","93866":"\ud81b\udeaa","93867":"\ud81b\udeab","93868":"\ud81b\udeac","93869":"\ud81b\udead","93870":"\ud81b\udeae","93871":"\ud81b\udeaf","93872":"\ud81b\udeb0","93873":"\ud81b\udeb1","93874":"\ud81b\udeb2","93875":"\ud81b\udeb3","93876":"\ud81b\udeb4","93877":"\ud81b\udeb5","93878":"\ud81b\udeb6","93879":"\ud81b\udeb7","93880":"\ud81b\udeb8"};
const DELIMITER = /[ \t\n\r\f]|\p{Cc}|\p{Cf}|([!-/]|[:-@]|[[-`]|[{-~]|\p{P})|([\u4E00-\u9FFF]|[\u3400-\u4DBF]|[\u{20000}-\u{2A6DF}]|[\u{2A700}-\u{2B73F}]|[\u{2B740}-\u{2B81F}]|[\u{2B820}-\u{2CEAF}]|[\uF900-\uFAFF]|[\u{2F800}-\u{2FA1F}])/gu;
const MAX_BYTES_PER_WORD = 100;
const utf8 = new TextEncoder();

function casefold(text) {
  let out = "";
  for (const ch of text.normalize("NFKD")) {
    const folded = CASEFOLD[ch.codePointAt(0)];
    out += folded !== undefined ? folded : ch.toLowerCase();
  }
  return out.normalize("NFKC");
}

class WordPieceTokenizer {
  // options: {vocabulary: array of tokens | text of a vocabulary file, file (its name, for errors),
  //   lowercase, strip_accents, split, split_on_cjk, suffix_indicator, oov_token, sequence_length}
  constructor(options) {
    const o = options || {};
    const file = o.file || "<vocabulary>";
    const tokens = Array.isArray(o.vocabulary) ? o.vocabulary : WordPieceTokenizer.parseVocabulary(o.vocabulary, file);
    this.vocabulary = tokens;
    this.tokenToId = new Map();
    tokens.forEach((token, i) => this.tokenToId.set(token, i));
    this.lowercase = Boolean(o.lowercase);
    this.stripAccents = Boolean(o.strip_accents);
    this.split = o.split == null ? true : Boolean(o.split);
    this.splitOnCjk = o.split_on_cjk == null ? true : Boolean(o.split_on_cjk);
    this.suffixIndicator = o.suffix_indicator == null ? "##" : o.suffix_indicator;
    this.oovToken = o.oov_token == null ? "[UNK]" : o.oov_token;
    this.sequenceLength = o.sequence_length == null ? null : o.sequence_length;
    if (!this.tokenToId.has(this.oovToken)) {
      throw new Error(`${file}: the OOV token ${JSON.stringify(this.oovToken)} is not in the vocabulary ` +
        `(${tokens.length} tokens); add it or pass oov_token.`);
    }
    this.oovId = this.tokenToId.get(this.oovToken);
  }

  // One token per line (as keras_hub/kerasverse write vocab.txt); fails on what it cannot parse
  // with the file and line.
  static parseVocabulary(text, file) {
    if (typeof text !== "string") {
      if (text instanceof Uint8Array || text instanceof ArrayBuffer) {
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(text);
        } catch (error) {
          const bytes = text instanceof ArrayBuffer ? new Uint8Array(text) : text;
          let line = 1;
          for (let i = 0; i < bytes.length; i++) {
            try {
              new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, i + 1));
            } catch (e) {
              if (i + 4 >= bytes.length || !isPrefix(bytes, i)) break;
            }
            if (bytes[i] === 10) line++;
          }
          throw new Error(`${file}:${line}: the vocabulary is not valid UTF-8.`);
        }
      } else {
        throw new Error(`${file}: the vocabulary must be text (one token per line); received ${typeof text}.`);
      }
    }
    const lines = text.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    if (lines.length === 0) throw new Error(`${file}:1: the vocabulary is empty.`);
    return lines.map((raw, i) => {
      const token = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (token === "") throw new Error(`${file}:${i + 1}: empty line; a vocabulary has one token per line.`);
      if (/[\s\p{Cc}]/u.test(token)) {
        throw new Error(`${file}:${i + 1}: token ${JSON.stringify(token)} holds whitespace or a control ` +
          "character, which no WordPiece token can; a vocabulary has one token per line (is this a vocabulary file?).");
      }
      return token;
    });
  }

  pretokenize(text) {
    if (this.stripAccents) text = text.normalize("NFD").replace(/\p{Mn}/gu, "");
    if (!this.split) return [text];
    const words = [];
    let position = 0;
    DELIMITER.lastIndex = 0;
    for (const match of text.matchAll(DELIMITER)) {
      const cjk = match[2] !== undefined;
      if (cjk && !this.splitOnCjk) continue;
      if (match.index > position) words.push(text.slice(position, match.index));
      if (match[1] !== undefined || cjk) words.push(match[0]);
      position = match.index + match[0].length;
    }
    if (position < text.length) words.push(text.slice(position));
    return words;
  }

  wordToIds(word) {
    if (this.lowercase) word = casefold(word);
    if (!word) return [];
    if (utf8.encode(word).length > MAX_BYTES_PER_WORD) return [this.oovId];
    const chars = Array.from(word);
    const ids = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found;
      while (end > start) {
        let piece = chars.slice(start, end).join("");
        if (start > 0) piece = this.suffixIndicator + piece;
        found = this.tokenToId.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.oovId];
      ids.push(found);
      start = end;
    }
    return ids;
  }

  // A string -> token ids (an array; padded with 0 / truncated to sequence_length when set).
  // An array of strings -> an array of such arrays.
  tokenize(text) {
    if (Array.isArray(text)) return text.map((t) => this.tokenize(t));
    if (typeof text !== "string") throw new Error(`WordPieceTokenizer.tokenize takes a string; received ${typeof text}.`);
    let ids = [];
    for (const word of this.pretokenize(text)) ids = ids.concat(this.wordToIds(word));
    if (this.sequenceLength != null) {
      ids = ids.slice(0, this.sequenceLength);
      while (ids.length < this.sequenceLength) ids.push(0);
    }
    return ids;
  }

  detokenize(ids) {
    return ids.map((i) => this.vocabulary[i]).join(" ");
  }
}

function isPrefix(bytes, i) {
  return (bytes[i] & 0xc0) === 0x80 || bytes[i] >= 0xc0;
}

  register.WordPieceTokenizer = WordPieceTokenizer;
  register.casefold = casefold;
  return register;

function register(tf) {
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
        // (tfjs' Merge layers hand on their mask with an extra leading axis of 1.)
        const m = tf.expandDims(tf.reshape(tf.cast(single(mask), x.dtype), x.shape.slice(0, 2)), -1);
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

  // kerasverse.automl's NgramEmbedding: the mean embedding of a text's tokens (id 0 = padding) and
  // hashed token bigrams. The bucket is Keras' int32 arithmetic, (first * 7919 + second * 104729) floor-mod
  // numBuckets with wrapping products and sum; it is computed on the host with Math.imul, so every
  // backend gets the same buckets (WebGL holds int32 tensors as float32, exact only below 2^24).
  class NgramEmbedding extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.vocabularySize = args.vocabularySize;
      this.numBuckets = args.numBuckets == null ? 20000 : args.numBuckets;
      this.embeddingDim = args.embeddingDim == null ? 64 : args.embeddingDim;
    }

    build() {
      this.embeddings = this.addWeight("embedding/embeddings",
        [this.vocabularySize + this.numBuckets, this.embeddingDim], "float32",
        tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }));
      this.built = true;
    }

    computeOutputShape(inputShape) {
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      return [inputShape[0], this.embeddingDim];
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const [batch, length] = x.shape;
        const ids = Int32Array.from(x.dataSync());  // Truncates toward zero, as Keras' cast to int32.
        const width = 2 * length - 1;
        const tokens = new Int32Array(batch * width);
        const mask = new Float32Array(batch * width);
        for (let b = 0; b < batch; b++) {
          const row = b * length;
          const out = b * width;
          for (let t = 0; t < length; t++) {
            tokens[out + t] = ids[row + t];
            mask[out + t] = ids[row + t] > 0 ? 1 : 0;
          }
          for (let t = 0; t + 1 < length; t++) {
            const first = ids[row + t];
            const second = ids[row + t + 1];
            const hashed = (Math.imul(first, 7919) + Math.imul(second, 104729)) | 0;
            const bucket = ((hashed % this.numBuckets) + this.numBuckets) % this.numBuckets;
            tokens[out + length + t] = bucket + this.vocabularySize;
            mask[out + length + t] = first > 0 && second > 0 ? 1 : 0;
          }
        }
        const maskTensor = tf.tensor2d(mask, [batch, width], "float32");
        const vectors = tf.mul(tf.gather(this.embeddings.read(), tf.tensor2d(tokens, [batch, width], "int32")),
          tf.expandDims(maskTensor, -1));
        const count = tf.maximum(tf.sum(maskTensor, 1, true), 1);
        return tf.div(tf.sum(vectors, 1), count);
      });
    }

    getConfig() {
      return {
        ...super.getConfig(),
        vocabularySize: this.vocabularySize,
        numBuckets: this.numBuckets,
        embeddingDim: this.embeddingDim,
      };
    }
  }
  NgramEmbedding.className = "NgramEmbedding";

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
    let m = tf.cast(single(mask), "bool");
    if (m.rank === 3) m = tf.squeeze(m, [0]); // a tfjs Merge layer's mask
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

  // ------------------------------------------- small Keras 3 layers tfjs lacks
  // A layer computing `fn(x, training)` on one input, with Keras' config keys passed through.
  function simpleLayer(className, keys, fn, outputShape) {
    const cls = class extends tf.layers.Layer {
      constructor(args) {
        super(args || {});
        keys.forEach((key) => (this[key] = args == null ? undefined : args[key]));
        this.supportsMasking = true;
      }

      call(inputs, kwargs) {
        return tf.tidy(() => fn.call(this, inputs, kwargs != null && kwargs.training === true));
      }

      computeOutputShape(inputShape) {
        return outputShape ? outputShape.call(this, inputShape) : inputShape;
      }

      getConfig() {
        const config = super.getConfig();
        keys.forEach((key) => (config[key] = this[key]));
        return config;
      }
    };
    cls.className = className;
    return cls;
  }

  const pair = (v) => (Array.isArray(v) ? v : [v, v]);
  const Subtract = simpleLayer("Subtract", [], (inputs) => tf.sub(inputs[0], inputs[1]),
    (shapes) => shapes[0]);
  // The activity penalty is a training loss only; the output is the input.
  const ActivityRegularization = simpleLayer("ActivityRegularization", ["l1", "l2"], (x) => tf.clone(single(x)));
  function spatialDropout(className, rank) {
    return simpleLayer(className, ["rate", "seed"], function (x, training) {
      x = single(x);
      if (!training || !(this.rate > 0)) return tf.clone(x);
      const noiseShape = [x.shape[0]].concat(new Array(rank).fill(1), [x.shape[x.rank - 1]]);
      return tf.dropout(x, this.rate, noiseShape);
    });
  }
  const SpatialDropout2D = spatialDropout("SpatialDropout2D", 2);
  const SpatialDropout3D = spatialDropout("SpatialDropout3D", 3);
  const reduced = (shape) => [shape[0], shape[shape.length - 1]];
  const GlobalAveragePooling3D = simpleLayer("GlobalAveragePooling3D", ["dataFormat", "keepdims"],
    (x) => tf.mean(single(x), [1, 2, 3]), reduced);
  const GlobalMaxPooling3D = simpleLayer("GlobalMaxPooling3D", ["dataFormat", "keepdims"],
    (x) => tf.max(single(x), [1, 2, 3]), reduced);
  const ZeroPadding1D = simpleLayer("ZeroPadding1D", ["padding", "dataFormat"], function (x) {
    const [left, right] = pair(this.padding);
    return tf.pad(single(x), [[0, 0], [left, right], [0, 0]]);
  }, function (shape) {
    const [left, right] = pair(this.padding);
    return [shape[0], shape[1] == null ? null : shape[1] + left + right, shape[2]];
  });
  const Cropping1D = simpleLayer("Cropping1D", ["cropping"], function (x) {
    x = single(x);
    const [left, right] = pair(this.cropping);
    return tf.slice(x, [0, left, 0], [-1, x.shape[1] - left - right, -1]);
  }, function (shape) {
    const [left, right] = pair(this.cropping);
    return [shape[0], shape[1] == null ? null : shape[1] - left - right, shape[2]];
  });
  const UpSampling1D = simpleLayer("UpSampling1D", ["size"], function (x) {
    x = single(x);
    const [b, t, c] = x.shape;
    return tf.reshape(tf.tile(tf.expandDims(x, 2), [1, 1, this.size, 1]), [b, t * this.size, c]);
  }, function (shape) {
    return [shape[0], shape[1] == null ? null : shape[1] * this.size, shape[2]];
  });

  class RMSNormalization extends tf.layers.Layer {
    constructor(args) {
      super(args || {});
      this.axis = args && args.axis != null ? args.axis : -1;
      this.epsilon = args && args.epsilon != null ? args.epsilon : 1e-6;
      this.supportsMasking = true;
    }

    build(inputShape) {
      inputShape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const rank = inputShape.length;
      // Keras writes `axis` as a list once built.
      this.axes = (Array.isArray(this.axis) ? this.axis : [this.axis]).map((a) => (a < 0 ? a + rank : a));
      this.scale = this.addWeight("scale", this.axes.map((a) => inputShape[a]), "float32", tf.initializers.ones());
      this.built = true;
    }

    call(inputs) {
      return tf.tidy(() => {
        // Keras 3: x * rsqrt(mean(x^2) + eps) * scale.
        const x = single(inputs);
        const inv = tf.rsqrt(tf.add(tf.mean(tf.square(x), this.axes, true), this.epsilon));
        const broadcast = new Array(x.rank).fill(1);
        this.axes.forEach((a) => (broadcast[a] = x.shape[a]));
        return tf.mul(tf.mul(x, inv), tf.reshape(this.scale.read(), broadcast));
      });
    }

    getConfig() {
      return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon };
    }
  }
  RMSNormalization.className = "RMSNormalization";

  // ------------------------------------------------------------ attention
  // Keras masks in tfjs: model.predict hands a layer only its first input's
  // mask, so a value mask is used when the value is the query tensor itself
  // (the exporter refuses masked models where they differ).
  // `callInputs` (written by the exporter): what each input is, e.g. ["query value", "key"]; every
  // tensor comes once (tfjs-layers disposes a tensor fed twice to one layer too early).
  function roleIndex(callInputs, role) {
    return callInputs.findIndex((roles) => roles.split(" ").includes(role));
  }

  // The (batch, length) Keras masks of the query and the value. (tfjs' Merge layers hand on their
  // mask with an extra leading axis of 1: reshaped away here.)
  function queryValueMasks(callInputs, mask, query, value) {
    const masks = Array.isArray(mask) ? mask : [mask];
    const index = roleIndex(callInputs, "value");
    const cast = (m, t) => (m == null ? null : tf.reshape(tf.cast(m, "bool"), t.shape.slice(0, 2)));
    return [cast(masks[0], query), cast(index === 0 ? masks[0] : masks[index], value)];
  }

  function andMask(a, b) {
    if (a == null) return b;
    if (b == null) return a;
    return tf.logicalAnd(a, b);
  }

  function causalMask(queryLength, keyLength) {
    // (1, tq, tk): query i sees keys j <= i.
    const rows = tf.expandDims(tf.range(0, queryLength, 1, "int32"), 1);
    const cols = tf.expandDims(tf.range(0, keyLength, 1, "int32"), 0);
    return tf.expandDims(tf.greaterEqual(rows, cols), 0);
  }

  function windowMask(queryLength, keyLength, window) {
    const rows = tf.expandDims(tf.range(0, queryLength, 1, "int32"), 1);
    const cols = tf.expandDims(tf.range(0, keyLength, 1, "int32"), 0);
    return tf.expandDims(tf.less(tf.abs(tf.sub(rows, cols)), window), 0);
  }

  const shapeList = (shape) => (Array.isArray(shape[0]) ? shape : [shape]);

  // keras.layers.MultiHeadAttention on (batch, length, features) inputs, attention over the length axis.
  // The exporter writes how the Keras call was made: `callInputs` (the order of the node's inputs among
  // query, value, key, mask = attention_mask) and `useCausalMask`.
  class MultiHeadAttention extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.numHeads = args.numHeads;
      this.keyDim = args.keyDim;
      this.valueDim = args.valueDim == null ? args.keyDim : args.valueDim;
      this.dropoutRate = args.dropout || 0;
      this.useBias = args.useBias == null ? true : Boolean(args.useBias);
      const out = args.outputShape;
      this.outputDims = out == null ? null : Array.isArray(out) ? out : [out];
      this.attentionAxes = args.attentionAxes == null ? null : args.attentionAxes;
      this.slidingWindow = args.slidingWindow == null ? null : args.slidingWindow;
      this.useCausalMask = Boolean(args.useCausalMask);
      this.callInputs = args.callInputs || ["query", "value"];
      this.supportsMasking = true;
    }

    _index(name) {
      return roleIndex(this.callInputs, name);
    }

    build(inputShape) {
      const shapes = shapeList(inputShape);
      const dim = (name) => {
        const shape = shapes[this._index(this._index(name) >= 0 ? name : "value")];
        return shape[shape.length - 1];
      };
      const queryDim = dim("query");
      const outDims = this.outputDims || [queryDim];
      const kernel = (name, shape) => this.addWeight(`${name}/kernel`, shape, "float32", tf.initializers.glorotUniform({}));
      const bias = (name, shape) => (this.useBias ? this.addWeight(`${name}/bias`, shape, "float32", tf.initializers.zeros()) : null);
      const heads = this.numHeads;
      this.dense = {
        query: [kernel("query", [queryDim, heads, this.keyDim]), bias("query", [heads, this.keyDim])],
        key: [kernel("key", [dim("key"), heads, this.keyDim]), bias("key", [heads, this.keyDim])],
        value: [kernel("value", [dim("value"), heads, this.valueDim]), bias("value", [heads, this.valueDim])],
        output: [kernel("attention_output", [heads, this.valueDim].concat(outDims)), bias("attention_output", outDims)],
      };
      this.built = true;
    }

    computeOutputShape(inputShape) {
      const query = shapeList(inputShape)[this._index("query")];
      return query.slice(0, -1).concat(this.outputDims || [query[query.length - 1]]);
    }

    call(inputs, kwargs) {
      return tf.tidy(() => {
        const training = kwargs != null && kwargs.training === true;
        const list = Array.isArray(inputs) ? inputs : [inputs];
        const get = (name) => (this._index(name) >= 0 ? list[this._index(name)] : null);
        const query = get("query");
        const value = get("value");
        const key = get("key") || value;
        const [queryMask, valueMask] = queryValueMasks(this.callInputs, kwargs != null ? kwargs.mask : null, query, value);
        // Keras' _compute_attention_mask: (b, tq, 1) & (b, 1, tk) & causal & attention_mask.
        let mask = queryMask == null ? null : tf.expandDims(queryMask, -1);
        if (valueMask != null) mask = andMask(mask, tf.expandDims(valueMask, -2));
        const tq = query.shape[1];
        const tk = key.shape[1];
        if (this.useCausalMask) mask = andMask(mask, causalMask(tq, tk));
        if (this.slidingWindow != null) mask = andMask(mask, windowMask(tq, tk, this.slidingWindow));
        if (get("mask") != null) mask = andMask(mask, tf.cast(get("mask"), "bool"));
        const read = (d) => [d[0].read(), d[1] == null ? null : d[1].read()];
        const toHeads = (t) => tf.transpose(t, [0, 2, 1, 3]); // (b, t, h, d) -> (b, h, t, d)
        const q = tf.mul(project(query, ...read(this.dense.query)), 1 / Math.sqrt(this.keyDim));
        const k = project(key, ...read(this.dense.key));
        const v = project(value, ...read(this.dense.value));
        let scores = tf.matMul(toHeads(q), toHeads(k), false, true); // (b, h, tq, tk)
        let keep = null;
        if (mask != null) {
          keep = tf.broadcastTo(tf.expandDims(mask, 1), scores.shape);
          scores = tf.where(keep, scores, tf.fill(scores.shape, LARGE_NEGATIVE));
        }
        let probabilities = tf.softmax(scores, -1);
        // Keras' einsum path (dropout > 0) zeroes fully masked rows; its fused path (dropout 0) does not.
        if (keep != null && this.dropoutRate > 0) probabilities = tf.mul(probabilities, tf.cast(keep, "float32"));
        probabilities = dropout(probabilities, this.dropoutRate, training);
        const context = tf.transpose(tf.matMul(probabilities, toHeads(v)), [0, 2, 1, 3]); // (b, tq, h, dv)
        const [kernel, bias] = read(this.dense.output);
        const outDims = kernel.shape.slice(2);
        const size = outDims.reduce((a, b) => a * b, 1);
        let y = tf.matMul(tf.reshape(context, [-1, this.numHeads * this.valueDim]),
          tf.reshape(kernel, [this.numHeads * this.valueDim, size]));
        if (bias != null) y = tf.add(y, tf.reshape(bias, [size]));
        return tf.reshape(y, query.shape.slice(0, -1).concat(outDims));
      });
    }

    computeMask(inputs, mask) {
      return Array.isArray(mask) ? mask[this._index("query")] : mask;
    }

    getConfig() {
      return {
        ...super.getConfig(),
        numHeads: this.numHeads,
        keyDim: this.keyDim,
        valueDim: this.valueDim,
        dropout: this.dropoutRate,
        useBias: this.useBias,
        outputShape: this.outputDims,
        attentionAxes: this.attentionAxes,
        slidingWindow: this.slidingWindow,
        useCausalMask: this.useCausalMask,
        callInputs: this.callInputs,
      };
    }
  }
  MultiHeadAttention.className = "MultiHeadAttention";

  // keras.layers.Attention (dot or concat scores) and AdditiveAttention, inputs [query, value, key?].
  class Attention extends tf.layers.Layer {
    constructor(args) {
      super(args || {});
      args = args || {};
      this.useScale = Boolean(args.useScale);
      this.scoreMode = args.scoreMode || "dot";
      this.dropoutRate = args.dropout || 0;
      this.useCausalMask = Boolean(args.useCausalMask);
      this.callInputs = args.callInputs || ["query", "value", "key"];
      this.supportsMasking = true;
    }

    _get(inputs, role) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const index = roleIndex(this.callInputs, role);
      return index >= 0 ? list[index] : null;
    }

    build(inputShape) {
      if (this.useScale) this.scale = this.addWeight("scale", [], "float32", tf.initializers.ones());
      if (this.scoreMode === "concat") {
        this.concatScoreWeight = this.addWeight("concat_score_weight", [], "float32", tf.initializers.ones());
      }
      this.built = true;
    }

    _scores(q, k) {
      if (this.scoreMode === "dot") {
        const scores = tf.matMul(q, k, false, true);
        return this.useScale ? tf.mul(scores, this.scale.read()) : scores;
      }
      let sum = tf.add(tf.expandDims(q, -2), tf.expandDims(k, -3));
      if (this.useScale) sum = tf.mul(this.scale.read(), sum);
      return tf.mul(this.concatScoreWeight.read(), tf.sum(tf.tanh(sum), -1));
    }

    computeOutputShape(inputShape) {
      const query = this._get(shapeList(inputShape), "query");
      const value = this._get(shapeList(inputShape), "value");
      return query.slice(0, -1).concat([value[value.length - 1]]);
    }

    call(inputs, kwargs) {
      return tf.tidy(() => {
        const training = kwargs != null && kwargs.training === true;
        const q = this._get(inputs, "query");
        const v = this._get(inputs, "value");
        const k = this._get(inputs, "key") || v;
        const [queryMask, valueMask] = queryValueMasks(this.callInputs, kwargs != null ? kwargs.mask : null, q, v);
        let scores = this._scores(q, k);
        let scoresMask = valueMask == null ? null : tf.expandDims(valueMask, -2);
        if (this.useCausalMask) scoresMask = andMask(scoresMask, causalMask(scores.shape[1], scores.shape[2]));
        if (scoresMask != null) {
          // Keras: scores - 1e9 where masked.
          scores = tf.sub(scores, tf.mul(tf.sub(1, tf.cast(scoresMask, "float32")), 1e9));
        }
        const weights = dropout(tf.softmax(scores, -1), this.dropoutRate, training);
        let out = tf.matMul(weights, v);
        if (queryMask != null) out = tf.mul(out, tf.expandDims(tf.cast(queryMask, "float32"), -1));
        return out;
      });
    }

    computeMask(inputs, mask) {
      return Array.isArray(mask) ? mask[0] : mask;
    }

    getConfig() {
      return { ...super.getConfig(), useScale: this.useScale, scoreMode: this.scoreMode, dropout: this.dropoutRate,
        useCausalMask: this.useCausalMask, callInputs: this.callInputs };
    }
  }
  Attention.className = "Attention";

  class AdditiveAttention extends Attention {
    build(inputShape) {
      const query = this._get(shapeList(inputShape), "query");
      const dim = query[query.length - 1];
      if (this.useScale) this.scale = this.addWeight("scale", [dim], "float32", tf.initializers.glorotUniform({}));
      this.built = true;
    }

    _scores(q, k) {
      let t = tf.tanh(tf.add(tf.expandDims(q, -2), tf.expandDims(k, -3)));
      if (this.useScale) t = tf.mul(this.scale.read(), t);
      return tf.sum(t, -1);
    }
  }
  AdditiveAttention.className = "AdditiveAttention";

  // ---------------------------------------------------------- EinsumDense
  // `equation` like "abc,cd->abd" (a leading "..." allowed): computed as
  // transpose + matMul + transpose, so gradients are tfjs' own.
  function einsumSpec(equation, inputRank) {
    let [lhs, out] = equation.split("->");
    let [inp, ker] = lhs.split(",");
    if (inp.includes("...")) {
      const fresh = "0123456789".slice(0, inputRank - (inp.length - 3));
      inp = inp.replace("...", fresh);
      out = out.replace("...", fresh);
    }
    for (const c of inp) {
      if (!out.includes(c) && !ker.includes(c)) throw new Error(`EinsumDense: '${equation}' sums over an input axis.`);
      if (out.includes(c) && ker.includes(c)) throw new Error(`EinsumDense: '${equation}' has a batch axis in the kernel.`);
    }
    return { inp, ker, out };
  }

  class EinsumDense extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.equation = args.equation;
      const out = args.outputShape;
      this.outputDims = Array.isArray(out) ? out : [out];
      this.biasAxes = args.biasAxes == null ? null : args.biasAxes;
      this.activationName = args.activation == null ? "linear" : args.activation;
      this.activationLayer = tf.layers.activation({ activation: this.activationName });
    }

    _spec(inputShape) {
      return einsumSpec(this.equation, inputShape.length);
    }

    _outputShape(inputShape) {
      const { inp, out } = this._spec(inputShape);
      const trailing = this.outputDims;
      return [...out].map((c, i) => {
        if (inp.includes(c)) return inputShape[inp.indexOf(c)];
        return trailing[trailing.length - (out.length - i)];
      });
    }

    build(inputShape) {
      inputShape = shapeList(inputShape)[0];
      const { inp, ker, out } = this._spec(inputShape);
      const outputShape = this._outputShape(inputShape);
      const kernelShape = [...ker].map((c) => (inp.includes(c) ? inputShape[inp.indexOf(c)] : outputShape[out.indexOf(c)]));
      this.kernel = this.addWeight("kernel", kernelShape, "float32", tf.initializers.glorotUniform({}));
      this.bias = null;
      if (this.biasAxes) {
        const first = Math.min(...[...this.biasAxes].map((c) => out.indexOf(c)));
        const shape = [...out.slice(first)].map((c, i) => (this.biasAxes.includes(c) ? outputShape[first + i] : 1));
        this.bias = this.addWeight("bias", shape, "float32", tf.initializers.zeros());
      }
      this.built = true;
    }

    computeOutputShape(inputShape) {
      return this._outputShape(shapeList(inputShape)[0]);
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const kernel = this.kernel.read();
        const { inp, ker, out } = this._spec(x.shape);
        const dims = {};
        [...inp].forEach((c, i) => (dims[c] = x.shape[i]));
        [...ker].forEach((c, i) => (dims[c] = kernel.shape[i]));
        const free = [...inp].filter((c) => out.includes(c));
        const contracted = [...inp].filter((c) => ker.includes(c));
        const kernelFree = [...ker].filter((c) => out.includes(c));
        const size = (labels) => labels.reduce((a, c) => a * dims[c], 1);
        const xt = tf.reshape(tf.transpose(x, free.concat(contracted).map((c) => inp.indexOf(c))), [size(free), size(contracted)]);
        const kt = tf.reshape(tf.transpose(kernel, contracted.concat(kernelFree).map((c) => ker.indexOf(c))),
          [size(contracted), size(kernelFree)]);
        const order = free.concat(kernelFree);
        let y = tf.reshape(tf.matMul(xt, kt), order.map((c) => dims[c]));
        y = tf.transpose(y, [...out].map((c) => order.indexOf(c)));
        if (this.bias != null) y = tf.add(y, this.bias.read());
        return this.activationLayer.apply(y);
      });
    }

    getConfig() {
      return { ...super.getConfig(), equation: this.equation, outputShape: this.outputDims, biasAxes: this.biasAxes,
        activation: this.activationName };
    }
  }
  EinsumDense.className = "EinsumDense";

  // ------------------------------------------- 1D convolutions via 2D ops
  const one = (v) => (Array.isArray(v) ? v[0] : v);

  class Conv1DBase extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.filters = args.filters;
      this.kernelSize = one(args.kernelSize);
      this.strides = one(args.strides == null ? 1 : args.strides);
      this.padding = args.padding || "valid";
      this.dilationRate = one(args.dilationRate == null ? 1 : args.dilationRate);
      this.depthMultiplier = args.depthMultiplier == null ? 1 : args.depthMultiplier;
      this.useBias = args.useBias == null ? true : Boolean(args.useBias);
      this.activationName = args.activation == null ? "linear" : args.activation;
      this.activationLayer = tf.layers.activation({ activation: this.activationName });
    }

    _length(length) {
      if (length == null) return null;
      const k = (this.kernelSize - 1) * this.dilationRate + 1;
      return this.padding === "same" ? Math.ceil(length / this.strides) : Math.floor((length - k) / this.strides) + 1;
    }

    computeOutputShape(inputShape) {
      inputShape = shapeList(inputShape)[0];
      return [inputShape[0], this._length(inputShape[1]), this._channels(inputShape[2])];
    }

    _finish(y) {
      y = tf.squeeze(y, [1]);
      if (this.bias != null) y = tf.add(y, this.bias.read());
      return this.activationLayer.apply(y);
    }

    getConfig() {
      return { ...super.getConfig(), filters: this.filters, kernelSize: [this.kernelSize], strides: [this.strides],
        padding: this.padding, dilationRate: [this.dilationRate], depthMultiplier: this.depthMultiplier,
        useBias: this.useBias, activation: this.activationName };
    }
  }

  class Conv1DTranspose extends Conv1DBase {
    build(inputShape) {
      inputShape = shapeList(inputShape)[0];
      this.kernel = this.addWeight("kernel", [this.kernelSize, this.filters, inputShape[2]], "float32",
        tf.initializers.glorotUniform({}));
      this.bias = this.useBias ? this.addWeight("bias", [this.filters], "float32", tf.initializers.zeros()) : null;
      this.built = true;
    }

    _length(length) {
      // Keras' conv-transpose output length (no output_padding, dilation 1).
      if (length == null) return null;
      return this.padding === "same" ? length * this.strides : length * this.strides + Math.max(this.kernelSize - this.strides, 0);
    }

    _channels() {
      return this.filters;
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const kernel = tf.expandDims(this.kernel.read(), 0);
        const y = tf.conv2dTranspose(tf.expandDims(x, 1), kernel, [x.shape[0], 1, this._length(x.shape[1]), this.filters],
          [1, this.strides], this.padding);
        return this._finish(y);
      });
    }
  }
  Conv1DTranspose.className = "Conv1DTranspose";

  class DepthwiseConv1D extends Conv1DBase {
    build(inputShape) {
      inputShape = shapeList(inputShape)[0];
      this.kernel = this.addWeight("kernel", [this.kernelSize, inputShape[2], this.depthMultiplier], "float32",
        tf.initializers.glorotUniform({}));
      this.bias = this.useBias
        ? this.addWeight("bias", [inputShape[2] * this.depthMultiplier], "float32", tf.initializers.zeros())
        : null;
      this.built = true;
    }

    _channels(channels) {
      return channels * this.depthMultiplier;
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const y = tf.depthwiseConv2d(tf.expandDims(x, 1), tf.expandDims(this.kernel.read(), 0), [1, this.strides],
          this.padding, "NHWC", [1, this.dilationRate]);
        return this._finish(y);
      });
    }
  }
  DepthwiseConv1D.className = "DepthwiseConv1D";

  class SeparableConv1D extends Conv1DBase {
    build(inputShape) {
      inputShape = shapeList(inputShape)[0];
      const channels = inputShape[2];
      const init = tf.initializers.glorotUniform({});
      this.depthwiseKernel = this.addWeight("depthwise_kernel", [this.kernelSize, channels, this.depthMultiplier], "float32", init);
      this.pointwiseKernel = this.addWeight("pointwise_kernel", [1, channels * this.depthMultiplier, this.filters], "float32", init);
      this.bias = this.useBias ? this.addWeight("bias", [this.filters], "float32", tf.initializers.zeros()) : null;
      this.built = true;
    }

    _channels() {
      return this.filters;
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const y = tf.separableConv2d(tf.expandDims(x, 1), tf.expandDims(this.depthwiseKernel.read(), 0),
          tf.expandDims(this.pointwiseKernel.read(), 0), [1, this.strides], this.padding, [1, this.dilationRate]);
        return this._finish(y);
      });
    }
  }
  SeparableConv1D.className = "SeparableConv1D";

  // ------------------------------------------------------- normalizations
  class GroupNormalization extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.groups = args.groups == null ? 32 : args.groups;
      this.axis = args.axis == null ? -1 : args.axis;
      this.epsilon = args.epsilon == null ? 1e-3 : args.epsilon;
      this.center = args.center == null ? true : Boolean(args.center);
      this.scale = args.scale == null ? true : Boolean(args.scale);
      this.supportsMasking = true;
    }

    build(inputShape) {
      inputShape = shapeList(inputShape)[0];
      const channels = inputShape[inputShape.length - 1];
      this.gamma = this.scale ? this.addWeight("gamma", [channels], "float32", tf.initializers.ones()) : null;
      this.beta = this.center ? this.addWeight("beta", [channels], "float32", tf.initializers.zeros()) : null;
      this.built = true;
    }

    call(inputs) {
      return tf.tidy(() => {
        // Keras (channels last): (..., groups, channels / groups), moments over all but batch and group.
        const x = single(inputs);
        const channels = x.shape[x.rank - 1];
        const grouped = tf.reshape(x, x.shape.slice(0, -1).concat([this.groups, channels / this.groups]));
        const axes = [];
        for (let a = 1; a < grouped.rank; a++) if (a !== grouped.rank - 2) axes.push(a);
        const { mean, variance } = tf.moments(grouped, axes, true);
        const broadcast = new Array(grouped.rank - 2).fill(1).concat([this.groups, channels / this.groups]);
        let inv = tf.rsqrt(tf.add(variance, this.epsilon));
        if (this.gamma != null) inv = tf.mul(inv, tf.reshape(this.gamma.read(), broadcast));
        let res = tf.mul(tf.neg(mean), inv);
        if (this.beta != null) res = tf.add(res, tf.reshape(this.beta.read(), broadcast));
        return tf.reshape(tf.add(tf.mul(grouped, inv), res), x.shape);
      });
    }

    getConfig() {
      return { ...super.getConfig(), groups: this.groups, axis: this.axis, epsilon: this.epsilon, center: this.center,
        scale: this.scale };
    }
  }
  GroupNormalization.className = "GroupNormalization";

  // keras.layers.Normalization: (x - mean) / max(sqrt(variance), 1e-7), or its inverse.
  class Normalization extends tf.layers.Layer {
    constructor(args) {
      super(args || {});
      args = args || {};
      this.axis = args.axis == null ? [-1] : Array.isArray(args.axis) ? args.axis : [args.axis];
      this.invert = Boolean(args.invert);
      this.meanValue = args.mean == null ? null : args.mean;
      this.varianceValue = args.variance == null ? null : args.variance;
      this.supportsMasking = true;
    }

    build(inputShape) {
      inputShape = shapeList(inputShape)[0];
      const rank = inputShape.length;
      this.keep = this.axis.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
      this.broadcast = inputShape.map((d, i) => (this.keep.includes(i) ? d : 1));
      if (this.meanValue == null) {
        const shape = this.keep.map((a) => inputShape[a]);
        this.mean = this.addWeight("mean", shape, "float32", tf.initializers.zeros(), null, false);
        this.variance = this.addWeight("variance", shape, "float32", tf.initializers.ones(), null, false);
      }
      this.built = true;
    }

    _stat(weight, value) {
      const t = weight != null ? weight.read() : tf.tensor(value, undefined, "float32");
      const size = this.broadcast.reduce((a, b) => a * b, 1);
      return t.size === size ? tf.reshape(t, this.broadcast) : t;
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const mean = this._stat(this.mean, this.meanValue);
        const std = tf.maximum(tf.sqrt(this._stat(this.variance, this.varianceValue)), 1e-7);
        return this.invert ? tf.add(mean, tf.mul(x, std)) : tf.div(tf.sub(x, mean), std);
      });
    }

    getConfig() {
      return { ...super.getConfig(), axis: this.axis, invert: this.invert, mean: this.meanValue, variance: this.varianceValue };
    }
  }
  Normalization.className = "Normalization";

  // ------------------------------------------------------------- misc
  const TfEmbedding = tf.layers.embedding({ inputDim: 1, outputDim: 1 }).constructor;

  // Keras' ReversibleEmbedding used forward (reverse=False): an Embedding.
  class ReversibleEmbedding extends TfEmbedding {
    constructor(args) {
      const { tieWeights, logitSoftCap, reverseDtype, ...rest } = args;
      super(rest);
      this.tieWeights = tieWeights == null ? true : Boolean(tieWeights);
      this.logitSoftCap = logitSoftCap == null ? null : logitSoftCap;
    }

    getConfig() {
      return { ...super.getConfig(), tieWeights: this.tieWeights, logitSoftCap: this.logitSoftCap };
    }
  }
  ReversibleEmbedding.className = "ReversibleEmbedding";

  // Keras' CenterCrop on inputs at least as large as the target (tfjs' own overwrites its input shape).
  class CenterCrop extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.height = args.height;
      this.width = args.width;
    }

    computeOutputShape(inputShape) {
      inputShape = shapeList(inputShape)[0];
      return [inputShape[0], this.height, this.width, inputShape[3]];
    }

    call(inputs) {
      return tf.tidy(() => {
        const x = single(inputs);
        const [h, w] = [x.shape[1], x.shape[2]];
        if (h < this.height || w < this.width) {
          throw new Error(`CenterCrop: input ${h}x${w} is smaller than ${this.height}x${this.width}; ` +
            "kerasverse-layers.js only crops.");
        }
        const top = Math.floor((h - this.height) / 2);
        const left = Math.floor((w - this.width) / 2);
        return tf.slice(x, [0, top, left, 0], [-1, this.height, this.width, -1]);
      });
    }

    getConfig() {
      return { ...super.getConfig(), height: this.height, width: this.width };
    }
  }
  CenterCrop.className = "CenterCrop";

  // Keras' CategoryEncoding (tfjs' own overwrites its input shape): one_hot, multi_hot or count.
  const CategoryEncoding = simpleLayer("CategoryEncoding", ["numTokens", "outputMode"], function (x) {
    x = tf.cast(single(x), "int32");
    const mode = this.outputMode == null ? "multiHot" : this.outputMode;
    if (mode === "oneHot") {
      if (x.rank === 2 && x.shape[1] === 1) x = tf.squeeze(x, [1]);
      return tf.cast(tf.oneHot(x, this.numTokens), "float32");
    }
    if (x.rank === 1) x = tf.expandDims(x, 1);
    const counts = tf.sum(tf.cast(tf.oneHot(x, this.numTokens), "float32"), x.rank - 1);
    return mode === "count" ? counts : tf.minimum(counts, 1);
  }, function (shape) {
    const mode = this.outputMode == null ? "multiHot" : this.outputMode;
    if (mode === "oneHot" && !(shape.length === 2 && shape[1] === 1)) return shape.concat([this.numTokens]);
    return [shape[0], this.numTokens];
  });

  // Adaptive pooling (channels last): output i of an axis of length L pools
  // [floor(i L / out), ceil((i + 1) L / out)), as Keras/PyTorch; separable per axis.
  function adaptivePooling(className, rank, reducer) {
    const sizes = (v) => (Array.isArray(v) ? v : new Array(rank).fill(v));
    return simpleLayer(className, ["outputSize", "dataFormat"], function (x) {
      x = single(x);
      sizes(this.outputSize).forEach((out, i) => {
        const axis = i + 1;
        const length = x.shape[axis];
        const parts = [];
        for (let j = 0; j < out; j++) {
          const start = Math.floor((j * length) / out);
          const end = Math.ceil(((j + 1) * length) / out);
          const begin = new Array(x.rank).fill(0);
          const size = x.shape.slice();
          begin[axis] = start;
          size[axis] = end - start;
          parts.push(reducer(tf.slice(x, begin, size), axis, true));
        }
        x = tf.concat(parts, axis);
      });
      return x;
    }, function (shape) {
      return [shape[0]].concat(sizes(this.outputSize), [shape[shape.length - 1]]);
    });
  }
  const AdaptiveAveragePooling1D = adaptivePooling("AdaptiveAveragePooling1D", 1, tf.mean);
  const AdaptiveAveragePooling2D = adaptivePooling("AdaptiveAveragePooling2D", 2, tf.mean);
  const AdaptiveAveragePooling3D = adaptivePooling("AdaptiveAveragePooling3D", 3, tf.mean);
  const AdaptiveMaxPooling1D = adaptivePooling("AdaptiveMaxPooling1D", 1, tf.max);
  const AdaptiveMaxPooling2D = adaptivePooling("AdaptiveMaxPooling2D", 2, tf.max);
  const AdaptiveMaxPooling3D = adaptivePooling("AdaptiveMaxPooling3D", 3, tf.max);

  // 3D padding, cropping, upsampling (channels last).
  const triple = (v) => (Array.isArray(v) ? v.map((p) => pair(p)) : [pair(v), pair(v), pair(v)]);
  const ZeroPadding3D = simpleLayer("ZeroPadding3D", ["padding", "dataFormat"], function (x) {
    return tf.pad(single(x), [[0, 0]].concat(triple(this.padding), [[0, 0]]));
  }, function (shape) {
    const p = triple(this.padding);
    return [shape[0]].concat([1, 2, 3].map((a) => (shape[a] == null ? null : shape[a] + p[a - 1][0] + p[a - 1][1])), [shape[4]]);
  });
  const Cropping3D = simpleLayer("Cropping3D", ["cropping", "dataFormat"], function (x) {
    x = single(x);
    const c = triple(this.cropping);
    return tf.slice(x, [0, c[0][0], c[1][0], c[2][0], 0],
      [-1].concat([1, 2, 3].map((a) => x.shape[a] - c[a - 1][0] - c[a - 1][1]), [-1]));
  }, function (shape) {
    const c = triple(this.cropping);
    return [shape[0]].concat([1, 2, 3].map((a) => (shape[a] == null ? null : shape[a] - c[a - 1][0] - c[a - 1][1])), [shape[4]]);
  });
  function repeatAxis(x, axis, n) {
    if (n === 1) return x;
    const shape = x.shape.slice();
    const reps = new Array(x.rank + 1).fill(1);
    reps[axis + 1] = n;
    shape[axis] *= n;
    return tf.reshape(tf.tile(tf.expandDims(x, axis + 1), reps), shape);
  }
  const UpSampling3D = simpleLayer("UpSampling3D", ["size", "dataFormat"], function (x) {
    x = single(x);
    const size = Array.isArray(this.size) ? this.size : [this.size, this.size, this.size];
    size.forEach((n, i) => (x = repeatAxis(x, i + 1, n)));
    return x;
  }, function (shape) {
    const size = Array.isArray(this.size) ? this.size : [this.size, this.size, this.size];
    return [shape[0]].concat([1, 2, 3].map((a) => (shape[a] == null ? null : shape[a] * size[a - 1])), [shape[4]]);
  });

  const classes = [GRUCell, GRU, LayerNormalization, GlobalAveragePooling1D, UnitNormalization, IdentityLayer,
    PositionEmbedding, TokenAndPositionEmbedding, NgramEmbedding, TransformerEncoder, TransformerDecoder, Subtract,
    ActivityRegularization, SpatialDropout2D, SpatialDropout3D, GlobalAveragePooling3D, GlobalMaxPooling3D,
    ZeroPadding1D, Cropping1D, UpSampling1D, RMSNormalization, MultiHeadAttention, Attention, AdditiveAttention,
    EinsumDense, Conv1DTranspose, DepthwiseConv1D, SeparableConv1D, GroupNormalization, Normalization,
    ReversibleEmbedding, CenterCrop, CategoryEncoding, AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D, ZeroPadding3D, Cropping3D, UpSampling3D];
  classes.forEach((cls) => tf.serialization.registerClass(cls));
  const api = { version: "1", classes: classes.map((cls) => cls.className) };
  tf.__kerasverseLayers = api;
  return api;
}
})());
