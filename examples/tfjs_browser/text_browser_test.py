"""The sentiment page in real headless Chromium: raw text -> the JS WordPiece tokenizer ->
the exported kerasverse.nlp transformer; ids and probabilities equal Keras', fine-tuning runs."""

import functools
import http.server
import importlib.util
import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from kerasverse.testing import TestCase

HERE = Path(__file__).resolve().parent


def _load(name):
    spec = importlib.util.spec_from_file_location(f"tfjs_browser_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_browser = _load("browser_test")
MISSING = _browser.MISSING


@pytest.mark.slow
@pytest.mark.requires_node
@pytest.mark.skipif(MISSING is not None, reason=f"browser test needs: {MISSING}")
class TextBrowserExampleTest(TestCase):
    def test_page_tokenizes_predicts_like_keras_and_fine_tunes(self):
        site = os.path.join(self.get_temp_dir(), "site")
        _, _, samples = _load("build_text_site").build_site(site, epochs=3, num_samples=8)
        handler = functools.partial(_browser._QuietHandler, directory=site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/text.html"
            process = subprocess.run(
                ["node", str(HERE / "drive_text.js"), url, str(_browser.NODE_MODULES), _browser.find_chromium()],
                capture_output=True,
                text=True,
                timeout=240,
                env={**os.environ, "HOME": tempfile.gettempdir()},
            )
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(process.returncode, 0, process.stderr[-3000:])
        page = json.loads(process.stdout.strip().splitlines()[-1])
        self.assertEqual(page["errors"], [])
        self.assertIn("Model loaded", page["status"])
        self.assertEqual(page["before"]["ids"], samples["keras_ids"])  # The JS tokenizer's ids.
        self.assertAllClose(np.array(page["before"]["probabilities"]), np.array(samples["keras_probabilities"]),
                            atol=1e-5, rtol=0)
        losses = page["tuned"]["losses"]
        self.assertEqual(len(losses), 5)
        self.assertLess(losses[-1], losses[0])
        self.assertIn("step 5: loss", page["log"])
