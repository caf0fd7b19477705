"""Byte-level batch splitting and a numpy hash table of short chunks.

WordPiece's fast path (see `word_piece_tokenizer.py`) finds the
whitespace-separated chunks of a whole batch and looks up their cached codes
without one Python call per chunk: the batch is one UTF-8 byte string, chunk
bounds come from numpy, each chunk of at most 16 bytes is read as two
little-endian 64-bit integers (its exact bytes, zero-padded: words never hold
a zero byte), and those keys are looked up in an open-addressing table held
in numpy arrays. Keys are compared exactly, so the table never confuses two
chunks; a hash only picks the slot.
"""

import numpy as np

# Chunks up to this many UTF-8 bytes have an exact two-integer key.
MAX_KEY_BYTES = 16

# For a chunk of `n <= 16` bytes, `_LOW_MASKS[n]` and `_HIGH_MASKS[n]` keep
# its bytes among the 8 read at its start and the 8 read after those.
_LOW_MASKS = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(17)], np.uint64)
_HIGH_MASKS = np.array([(1 << (8 * max(n - 8, 0))) - 1 for n in range(17)], np.uint64)
_MIX_1 = np.uint64(0x9E3779B97F4A7C15)
_MIX_2 = np.uint64(0xC2B2AE3D27D4EB4F)
# Bytes read past the last chunk when building keys.
PADDING = b"\x00" * (MAX_KEY_BYTES + 8)


def chunk_bounds(data, size):
    """Starts and ends of the runs of bytes above 0x20 in `data[:size]`.

    Args:
        data: a uint8 array whose first and last byte (of `size`) are
            delimiters (at most 0x20).
        size: the number of bytes to split.

    Returns:
        `(starts, ends)`: int64 arrays, `data[starts[i]:ends[i]]` is chunk `i`.
    """
    is_delimiter = data[:size] <= 0x20
    changes = np.flatnonzero(is_delimiter[1:] != is_delimiter[:-1])
    return changes[0::2] + 1, changes[1::2] + 1


def chunk_keys(data, starts, lengths):
    """Exact keys of chunks of at most `MAX_KEY_BYTES` bytes.

    Args:
        data: the bytes (with `PADDING` at the end, so reads past the last
            chunk stay inside the buffer).
        starts: int64 array, chunk starts.
        lengths: int64 array, chunk lengths in bytes.

    Returns:
        `(low, high)` uint64 arrays: bytes 0-7 and 8-15 of each chunk. Keys of
        longer chunks are their first 16 bytes (not exact: callers must not
        look them up).
    """
    words = np.ndarray((len(data) - 7,), "<u8", buffer=data, strides=(1,))
    clipped = np.minimum(lengths, MAX_KEY_BYTES)
    low = words[starts]
    low &= _LOW_MASKS[clipped]
    high = words[starts + 8]
    high &= _HIGH_MASKS[clipped]
    return low, high


def _hash(low, high):
    hashes = low * _MIX_1
    hashes ^= high
    hashes *= _MIX_2
    return hashes


def unique_pairs(low, high):
    """Distinct `(low, high)` pairs: `(first_index, inverse)` like `np.unique`."""
    order = np.lexsort((high, low))
    sorted_low, sorted_high = low[order], high[order]
    is_new = np.ones(len(order), bool)
    is_new[1:] = (sorted_low[1:] != sorted_low[:-1]) | (sorted_high[1:] != sorted_high[:-1])
    group = np.cumsum(is_new) - 1
    inverse = np.empty(len(order), np.int64)
    inverse[order] = group
    return order[is_new], inverse


class ChunkTable:
    """A hash table `(low, high)` -> int64 code, looked up by numpy gathers.

    Multi-level hashing: level `k` is a direct-mapped array of
    `capacity >> k` slots with its own hash, and a key sits at the first
    level where its slot was free when it was added. A lookup gathers
    level 0 for every key, then level 1 for the few keys whose level-0 slot
    holds another key, and so on: no Python work per key. The table doubles
    when it is a quarter full (about nine keys in ten then sit at level 0).
    A key with `low == 0` marks an empty slot (no chunk has one). The rare
    key that finds all its slots taken is not kept (a lookup misses it and
    the caller computes its code again).

    Args:
        capacity_bits: int. log2 of the initial number of level-0 slots.
    """

    _NUM_LEVELS = 4
    _MULTIPLIERS = tuple(
        np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
    )

    def __init__(self, capacity_bits=16):
        self._initial_bits = capacity_bits
        self.clear()

    def __len__(self):
        return self._size

    def clear(self):
        self._allocate(self._initial_bits)
        self._size = 0

    def _allocate(self, bits):
        self._bits = bits
        sizes = [1 << (bits - k) for k in range(self._NUM_LEVELS)]
        self._offsets = np.cumsum([0, *sizes[:-1]]).tolist()
        self._shifts = [np.uint64(64 - (bits - k)) for k in range(self._NUM_LEVELS)]
        total = sum(sizes)
        self._low = np.zeros(total, np.uint64)
        self._high = np.zeros(total, np.uint64)
        self._codes = np.zeros(total, np.int64)

    def _slots(self, hashes, level):
        slots = hashes * self._MULTIPLIERS[level]
        slots >>= self._shifts[level]
        if level:
            slots += np.uint64(self._offsets[level])
        # Below 2**63: the same bits are a valid index array.
        return slots.view(np.int64)

    def lookup(self, low, high):
        """Codes of keys: `(codes, found)`; `codes` is arbitrary where not found."""
        hashes = _hash(low, high)
        slots = self._slots(hashes, 0)
        stored = self._low[slots]
        found = (stored == low) & (self._high[slots] == high)
        codes = self._codes[slots]
        # A key sits at a later level only when this level's slot is taken.
        pending = np.flatnonzero(~found & (stored != 0))
        for level in range(1, self._NUM_LEVELS):
            if not len(pending):
                break
            slots = self._slots(hashes[pending], level)
            stored = self._low[slots]
            hit = (stored == low[pending]) & (self._high[slots] == high[pending])
            found[pending[hit]] = True
            codes[pending[hit]] = self._codes[slots[hit]]
            pending = pending[~hit & (stored != 0)]
        return codes, found

    def insert(self, low, high, codes):
        """Adds keys that are distinct and not in the table yet.

        Earlier keys win contested slots: pass the most frequent first.
        """
        codes = np.asarray(codes, np.int64)
        if 4 * (self._size + len(low)) > (1 << self._bits):
            used = self._low != 0
            old = (self._low[used], self._high[used], self._codes[used])
            bits = self._bits
            while 4 * (self._size + len(low)) > (1 << bits):
                bits += 1
            self._allocate(bits)
            self._size = 0
            self._place(*old)
        self._place(low, high, codes)

    def _place(self, low, high, codes):
        hashes = _hash(low, high)
        pending = np.arange(len(low))
        for level in range(self._NUM_LEVELS):
            slots = self._slots(hashes[pending], level)
            free = self._low[slots] == 0
            # One key per free slot (the first); the others try the next level.
            free_slots, first = np.unique(slots[free], return_index=True)
            winners = pending[free][first]
            self._low[free_slots] = low[winners]
            self._high[free_slots] = high[winners]
            self._codes[free_slots] = codes[winners]
            self._size += len(winners)
            placed = np.zeros(len(low), bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            if not len(pending):
                break
