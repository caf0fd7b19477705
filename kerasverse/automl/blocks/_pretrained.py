"""The offline rule shared by the application blocks: no downloaded weights."""


def check_not_pretrained(block, pretrained):
    if pretrained:
        raise ValueError(
            f"{type(block).__name__}(pretrained=True) needs ImageNet weights downloaded at run "
            "time, which kerasverse.automl does not do (it runs offline). Received: "
            f"pretrained={pretrained!r}. Use pretrained=False or None."
        )
