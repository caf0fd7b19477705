"""The digits page in real headless Chromium: predictions equal Keras', fine-tuning runs."""

import functools
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.testing import TestCase

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parents[1] / "js" / "node_modules"


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _missing():
    problem = NodeRuntime().missing()
    if problem:
        return problem
    if not (NODE_MODULES / "playwright-core" / "package.json").exists():
        return "playwright-core is not installed in js/ (`npm ci --prefix js`)."
    if not find_chromium():
        return "Chromium is not installed (`apt-get install chromium`)."
    return None


MISSING = _missing()


def _load_build_site():
    spec = importlib.util.spec_from_file_location("tfjs_browser_build_site", HERE / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.requires_node
@pytest.mark.skipif(MISSING is not None, reason=f"browser test needs: {MISSING}")
class BrowserExampleTest(TestCase):
    def test_page_predicts_like_keras_and_fine_tunes(self):
        site = os.path.join(self.get_temp_dir(), "site")
        _, samples = _load_build_site().build_site(site, epochs=3, num_samples=8)
        handler = functools.partial(_QuietHandler, directory=site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
            process = subprocess.run(
                ["node", str(HERE / "drive.js"), url, str(NODE_MODULES), find_chromium()],
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
        self.assertAllClose(np.array(page["before"]), np.array(samples["keras_probabilities"]), atol=1e-5, rtol=0)
        losses = page["tuned"]["losses"]
        self.assertEqual(len(losses), 5)
        self.assertLess(losses[-1], losses[0])
        self.assertNotAllClose(np.array(page["tuned"]["probabilities"]), np.array(page["before"]), atol=1e-4)
        self.assertIn("step 5: loss", page["log"])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
