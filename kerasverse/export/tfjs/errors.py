"""Errors raised by `kerasverse.export.tfjs`."""


class UnsupportedModelError(ValueError):
    """The model holds something the TF.js Layers format cannot carry.

    `problems` lists one sentence per offending layer or setting (the message
    joins them), so `check()` and `save_model()` report all of them at once.
    """

    def __init__(self, problems, supported):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"This model cannot be exported to the TF.js Layers format:\n{lines}\n"
            f"Supported layers: {', '.join(supported)}."
        )
