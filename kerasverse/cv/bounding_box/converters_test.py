import numpy as np
import pytest

from kerasverse.cv import bounding_box
from kerasverse.testing import TestCase

HEIGHT, WIDTH = 50.0, 200.0


def _reference(xyxy, fmt):
    """Plain numpy: xyxy pixels -> any format."""
    x1, y1, x2, y2 = np.moveaxis(xyxy, -1, 0)
    w, h = x2 - x1, y2 - y1
    scale = fmt.startswith("rel_")
    if scale:
        x1, x2, w, y1, y2, h = x1 / WIDTH, x2 / WIDTH, w / WIDTH, y1 / HEIGHT, y2 / HEIGHT, h / HEIGHT
    base = fmt.replace("rel_", "")
    columns = {
        "xyxy": (x1, y1, x2, y2),
        "yxyx": (y1, x1, y2, x2),
        "xywh": (x1, y1, w, h),
        "center_xywh": (x1 + w / 2, y1 + h / 2, w, h),
        "center_yxhw": (y1 + h / 2, x1 + w / 2, h, w),
    }[base]
    return np.stack(columns, axis=-1)


class ConvertFormatTest(TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        xy = rng.uniform(0, 40, size=(3, 5, 2))
        wh = rng.uniform(1, 10, size=(3, 5, 2))
        self.xyxy = np.concatenate([xy, xy + wh], axis=-1).astype("float32")

    def test_every_pair_of_formats_matches_numpy(self):
        for source in bounding_box.SUPPORTED_FORMATS:
            for target in bounding_box.SUPPORTED_FORMATS:
                boxes = _reference(self.xyxy, source).astype("float32")
                out = bounding_box.convert_format(boxes, source, target, image_shape=(50, 200, 3))
                self.assertAllClose(out, _reference(self.xyxy, target), atol=1e-4, rtol=1e-4,
                                    msg=f"{source} -> {target}")

    def test_images_argument_and_dict_input(self):
        images = np.zeros((3, 50, 200, 3), "float32")
        data = {"boxes": self.xyxy, "classes": np.zeros((3, 5))}
        out = bounding_box.convert_format(data, "xyxy", "rel_xyxy", images=images)
        self.assertAllClose(out["boxes"], _reference(self.xyxy, "rel_xyxy"), atol=1e-6)
        self.assertIs(out["classes"], data["classes"])
        self.assertIs(data["boxes"], self.xyxy)  # the input dict is not modified

    def test_unknown_format(self):
        with pytest.raises(ValueError, match="Unknown bounding box format. Received: source='xyz'"):
            bounding_box.convert_format(self.xyxy, "xyz", "xyxy")
        with pytest.raises(ValueError, match="Received: target='XYXYX'"):
            bounding_box.convert_format(self.xyxy, "xyxy", "XYXYX")

    def test_relative_needs_image_size(self):
        with pytest.raises(ValueError, match="needs the image size"):
            bounding_box.convert_format(self.xyxy, "xyxy", "rel_xyxy")

    def test_last_dimension_must_be_four(self):
        with pytest.raises(ValueError, match=r"Received: boxes.shape=\(2, 3\)"):
            bounding_box.convert_format(np.zeros((2, 3)), "xyxy", "xywh")

    def test_empty_box_set(self):
        out = bounding_box.convert_format(np.zeros((2, 0, 4), "float32"), "xyxy", "center_xywh")
        self.assertEqual(tuple(out.shape), (2, 0, 4))
