"""kerasverse-layers.js' WordPieceTokenizer: the ids of the Python one, in Node."""

import os
import random

import pytest

from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.export.tfjs.save_model import COMPANION_PATH
from kerasverse.nlp.tokenizers import WordPieceTokenizer
from kerasverse.nlp.tokenizers import compute_word_piece_vocabulary

MISSING_RUNTIME = NodeRuntime().missing()

# Characters that exercise every rule: accents (precomposed and combining), case folding beyond
# lower() (ß, final sigma, Turkish İ, fullwidth and ligature compatibility forms), CJK, emoji,
# zero-width and control characters, punctuation from several scripts, whitespace of all kinds.
POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
    + list("éèêëÉÈàáâÄÅçÇñÑøØœŒßẞİıΣσςΑΩωЖжЯяÆæǅǈﬁﬃＡＢｃ①Ⅻ㎏")
    + ["e\u0301", "a\u0308", "\u0301"]
    + list("中文字漢語日本語한국어ひらがなカタカナ")
    + ["😀", "👍🏽", "\u200b", "\u200d", "\u00ad", "\u0007", "\x00"]
    + list(".,;:!?'\"()[]{}<>@#$%^&*-_+=/\\|~`¿¡«»—–…、。「」")
    + [" ", " ", " ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028"]
)


def _corpus(count, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(0, 60))) for _ in range(count)]


CONFIGS = [
    {"lowercase": True, "strip_accents": True},
    {"lowercase": False, "strip_accents": False},
    {"lowercase": True, "strip_accents": False, "split_on_cjk": False},
    {"lowercase": False, "strip_accents": True, "suffix_indicator": "@@", "sequence_length": 12},
]


@pytest.mark.host
@pytest.mark.requires_node
@pytest.mark.skipif(MISSING_RUNTIME is not None, reason=f"TF.js runtime absent: {MISSING_RUNTIME}")
class TestWordPieceJs:
    def test_fuzzed_corpus_gives_identical_ids(self, tmp_path):
        train, test = _corpus(400, 0), _corpus(400, 1)
        tasks, expected = [], []
        for k, config in enumerate(CONFIGS):
            options = {key: config[key] for key in ("lowercase", "strip_accents") if key in config}
            vocabulary = compute_word_piece_vocabulary(
                train, 300, suffix_indicator=config.get("suffix_indicator", "##"),
                split_on_cjk=config.get("split_on_cjk", True), **options,
            )
            tokenizer = WordPieceTokenizer(vocabulary=vocabulary, **config)
            path = str(tmp_path / f"vocab{k}.txt")
            with open(path, "w", encoding="utf-8") as file:
                file.writelines(f"{token}\n" for token in vocabulary)
            outputs = [tokenizer(text) for text in test]
            expected.append([[int(i) for i in out] for out in outputs])
            tasks.append({"op": "tokenize", "companion": COMPANION_PATH, "vocabulary_file": path, "options": config,
                          "texts": test})
        for k, (result, want) in enumerate(zip(NodeRuntime().run(tasks), expected)):
            assert "error" not in result, result.get("error")
            mismatches = [(test[i], w, g) for i, (w, g) in enumerate(zip(want, result["ids"])) if w != g]
            assert not mismatches, (CONFIGS[k], mismatches[:3])
            assert sum(map(len, want)) > 2000  # A real workload, not empty strings.

    def test_unparsable_vocabulary_names_file_and_line(self, tmp_path):
        cases = {
            "empty_line.txt": "[UNK]\nthe\n\nfox\n",
            "spaces.txt": "[UNK]\nthe\nbrown fox\n",
            "no_unk.txt": "the\nfox\n",
        }
        tasks = []
        for name, text in cases.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
            tasks.append({"op": "tokenize", "companion": COMPANION_PATH, "vocabulary_file": str(tmp_path / name),
                          "options": {}, "texts": ["the fox"]})
        (tmp_path / "latin1.txt").write_bytes("[UNK]\nthe\ncaf\xe9\n".encode("latin-1"))
        tasks.append({"op": "tokenize", "companion": COMPANION_PATH, "vocabulary_file": str(tmp_path / "latin1.txt"),
                      "options": {}, "texts": ["x"]})
        errors = [result.get("error", "") for result in NodeRuntime().run(tasks)]
        base = str(tmp_path) + os.sep
        assert errors[0] == f"{base}empty_line.txt:3: empty line; a vocabulary has one token per line."
        assert errors[1].startswith(f'{base}spaces.txt:3: token "brown fox" holds whitespace')
        assert errors[2].startswith(f'{base}no_unk.txt: the OOV token "[UNK]" is not in the vocabulary (2 tokens)')
        assert errors[3] == f"{base}latin1.txt:3: the vocabulary is not valid UTF-8."
