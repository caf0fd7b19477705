import numpy as np

from kerasverse.nlp.tokenizers import _chunk_table
from kerasverse.testing import TestCase


def random_keys(rng, count):
    low = rng.integers(1, 2**63, count, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
    high = rng.integers(0, 2**63, count, dtype=np.int64).astype(np.uint64)
    high[rng.random(count) < 0.7] = 0  # Most chunks fit in 8 bytes.
    return low, high


class ChunkBoundsTest(TestCase):
    def test_bounds_and_keys_match_python(self):
        texts = ["", "a", "  hello\tworld ", "x\x01y\x7fz", "naïve café 日本語", "a" * 17, "πολύ-λόγια\r\n", "\x0b"]
        data = ("\x00" + "\x00".join(texts) + "\x00").encode("utf-8")
        size = len(data)
        translated = data.translate(bytes(0 if b == 0 else 0x20 if b < 0x20 or b == 0x7F else b for b in range(256)))
        padded = translated + _chunk_table.PADDING
        starts, ends = _chunk_table.chunk_bounds(np.frombuffer(padded, np.uint8), size)
        chunks = [padded[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
        self.assertEqual(chunks, translated.replace(b"\x00", b" ").split())
        lengths = ends - starts
        low, high = _chunk_table.chunk_keys(padded, starts, lengths)
        for chunk, a, b, length in zip(chunks, low.tolist(), high.tolist(), lengths.tolist()):
            if length <= _chunk_table.MAX_KEY_BYTES:
                exact = chunk.ljust(16, b"\x00")
                self.assertEqual(a, int.from_bytes(exact[:8], "little"))
                self.assertEqual(b, int.from_bytes(exact[8:], "little"))

    def test_unique_pairs(self):
        low = np.array([5, 3, 5, 5, 3], np.uint64)
        high = np.array([1, 0, 1, 2, 0], np.uint64)
        first, inverse = _chunk_table.unique_pairs(low, high)
        pairs = list(zip(low.tolist(), high.tolist()))
        self.assertEqual(sorted(pairs[i] for i in first.tolist()), [(3, 0), (5, 1), (5, 2)])
        self.assertEqual([pairs[first[k]] for k in inverse.tolist()], pairs)


class ChunkTableTest(TestCase):
    def test_lookup_matches_a_dict_while_growing(self):
        rng = np.random.default_rng(0)
        table = _chunk_table.ChunkTable(capacity_bits=4)
        expected = {}
        for _ in range(4):
            low, high = random_keys(rng, 3000)
            codes = rng.integers(-(2**40), 2**40, 3000)
            _, found = table.lookup(low, high)
            self.assertFalse(found.any())
            table.insert(low, high, codes)
            expected.update(zip(zip(low.tolist(), high.tolist()), codes.tolist()))
        keys = list(expected)
        low = np.array([k[0] for k in keys], np.uint64)
        high = np.array([k[1] for k in keys], np.uint64)
        codes, found = table.lookup(low, high)
        # The rare key with all its slots taken is not kept: it must miss,
        # never give another key's code.
        self.assertGreater(found.mean(), 0.999)
        self.assertEqual(codes[found].tolist(), [expected[k] for k, f in zip(keys, found.tolist()) if f])
        self.assertEqual(len(table), int(found.sum()))
        # Keys differing from stored ones in one half only are not found.
        _, found = table.lookup(low, high ^ np.uint64(1 << 60))
        self.assertFalse(found.any())
        table.clear()
        self.assertEqual(len(table), 0)
        self.assertFalse(table.lookup(low, high)[1].any())
