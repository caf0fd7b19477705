"""`MaskedLMMaskGenerator`: BERT's masked-language-model masking, host-side."""

import math

import keras
import numpy as np

from kerasverse.nlp.layers.preprocessing import sequences


@keras.saving.register_keras_serializable(package="kerasverse")
class MaskedLMMaskGenerator(keras.layers.Layer):
    """Picks tokens to predict for masked language modeling and masks them.

    Same signature and outputs as `keras_hub.layers.MaskedLMMaskGenerator`,
    plus an explicit `seed`. In each sequence, `round(mask_selection_rate *
    n)` of the `n` selectable tokens (at least one when `n > 0`, at most
    `mask_selection_length`) are chosen at random; each chosen token becomes
    `mask_token_id` with probability `mask_token_rate`, a random id with
    probability `random_token_rate`, and stays as it is otherwise.

    Runs on the host with numpy on a list of ids, a ragged batch (list of
    lists) or a 1D/2D numpy array.

    Args:
        vocabulary_size: int. Random replacement ids are drawn from
            `[0, vocabulary_size)`.
        mask_selection_rate: float. The share of tokens selected.
        mask_token_id: int. The id of the mask token.
        mask_selection_length: int. If set, outputs are dense with this many
            positions per sequence (padded with 0, weight 0).
        unselectable_token_ids: list of ids never selected (padding, special
            tokens). Defaults to `[0]`.
        mask_token_rate: float. Probability a selected token becomes the
            mask token. Defaults to 0.8.
        random_token_rate: float. Probability it becomes a random token.
            Defaults to 0.1.
        seed: int. Seed of the random choices (explicit, reproducible).

    Returns:
        A dict: `"token_ids"` (the masked input, same form as the input),
        `"mask_positions"`, `"mask_ids"` (the original ids there) and
        `"mask_weights"` (1.0 for real positions, 0.0 for padding).

    Example:

    ```python
    masker = MaskedLMMaskGenerator(
        vocabulary_size=10, mask_selection_rate=0.5, mask_token_id=9,
        mask_selection_length=3, seed=0,
    )
    masker([[1, 2, 3, 4, 5, 6]])["mask_positions"].shape  # (1, 3)
    ```
    """

    def __init__(
        self,
        vocabulary_size,
        mask_selection_rate,
        mask_token_id,
        mask_selection_length=None,
        unselectable_token_ids=(0,),
        mask_token_rate=0.8,
        random_token_rate=0.1,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not 0.0 <= mask_selection_rate <= 1.0:
            raise ValueError(
                f"`mask_selection_rate` must be in [0, 1]. Received: mask_selection_rate={mask_selection_rate}"
            )
        if mask_token_rate < 0 or random_token_rate < 0 or mask_token_rate + random_token_rate > 1:
            raise ValueError(
                "`mask_token_rate` and `random_token_rate` must be >= 0 and sum to at most 1. "
                f"Received: mask_token_rate={mask_token_rate}, random_token_rate={random_token_rate}"
            )
        if mask_selection_length is not None and (not isinstance(mask_selection_length, int) or mask_selection_length < 1):
            raise ValueError(
                "`mask_selection_length` must be a positive int or None. "
                f"Received: mask_selection_length={mask_selection_length!r}"
            )
        self.vocabulary_size = vocabulary_size
        self.mask_selection_rate = mask_selection_rate
        self.mask_token_id = mask_token_id
        self.mask_selection_length = mask_selection_length
        self.unselectable_token_ids = list(unselectable_token_ids or [])
        self.mask_token_rate = mask_token_rate
        self.random_token_rate = random_token_rate
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    def __call__(self, inputs):
        return self.call(inputs)

    def call(self, inputs):
        rows, batched = sequences.to_rows(inputs)
        unselectable = set(self.unselectable_token_ids)
        rng = self._rng
        token_rows, position_rows, id_rows = [], [], []
        for row in rows:
            candidates = [i for i, token in enumerate(row) if token not in unselectable]
            count = 0
            if candidates and self.mask_selection_rate > 0:
                count = max(1, int(math.floor(self.mask_selection_rate * len(candidates) + 0.5)))
            if self.mask_selection_length is not None:
                count = min(count, self.mask_selection_length)
            positions = sorted(rng.choice(candidates, size=count, replace=False).tolist()) if count else []
            masked = list(row)
            draws = rng.random(len(positions))
            for position, draw in zip(positions, draws):
                if draw < self.mask_token_rate:
                    masked[position] = self.mask_token_id
                elif draw < self.mask_token_rate + self.random_token_rate:
                    masked[position] = int(rng.integers(0, self.vocabulary_size))
            token_rows.append(masked)
            position_rows.append(positions)
            id_rows.append([row[p] for p in positions])
        if isinstance(inputs, np.ndarray) or (hasattr(inputs, "shape") and batched):
            token_ids = np.asarray(token_rows, dtype=getattr(inputs, "dtype", "int32"))
        else:
            token_ids = token_rows
        if self.mask_selection_length is not None:
            length = self.mask_selection_length
            positions, weights = sequences.pad_rows(position_rows, length, 0, "right", "int32")
            mask_ids, _ = sequences.pad_rows(id_rows, length, 0, "right", "int32")
            weights = weights.astype("float32")
        else:
            positions = position_rows
            mask_ids = id_rows
            weights = [[1.0] * len(row) for row in position_rows]
        outputs = {
            "token_ids": token_ids,
            "mask_positions": positions,
            "mask_ids": mask_ids,
            "mask_weights": weights,
        }
        if not batched:
            outputs = {key: value[0] for key, value in outputs.items()}
            if isinstance(inputs, np.ndarray):
                outputs["token_ids"] = np.asarray(outputs["token_ids"], dtype=inputs.dtype)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "mask_selection_rate": self.mask_selection_rate,
                "mask_token_id": self.mask_token_id,
                "mask_selection_length": self.mask_selection_length,
                "unselectable_token_ids": self.unselectable_token_ids,
                "mask_token_rate": self.mask_token_rate,
                "random_token_rate": self.random_token_rate,
                "seed": self.seed,
            }
        )
        return config
