# kerasverse — every target creates/updates what it needs by itself.
#   make demo   the main job on embedded defaults (examples/demo.py)
#   make test   the whole test suite under KERAS_BACKEND=jax, then torch
#   make bench  side-by-side benchmarks against the peer libraries (.venv-bench)
#   make lint   ruff

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BENCH_VENV := .venv-bench
BENCH_PY := $(BENCH_VENV)/bin/python
# Two workers: one per core (CI machines have 2). Whole files go to one worker
# (--dist loadfile), so a module's expensive fixture (a Ray start, a trained
# pipeline, a search) runs once, not once per worker.
PYTEST_ARGS ?= -n 2 --dist loadfile

# Extras for the runtime venv and the test venv (same venv, test adds oracles).
# The demo exports LiteRT too, so it takes the [litert] extra (TensorFlow, used
# only by that exporter, in a child process), and [demo] (the penguin CSV).
DEMO_EXTRAS := all,litert,demo
TEST_EXTRAS := all,litert,demo,test
BENCH_PEERS := keras-tuner==1.4.8 optuna optuna-dashboard pycocotools keras-hub==0.32.0 keras-cv==0.9.0 \
	tensorflow-model-optimization==0.8.1 tf-keras
# The official TF.js converter pins TensorFlow 2.19 and tensorflow-decision-forests,
# which clash with keras-hub's tensorflow-text 2.21: installed without its
# dependencies (bench_export_tfjs.py shims the two imports it cannot satisfy).
BENCH_TFJS := tensorflowjs==4.22.0
# Peers that cannot share .venv-bench get their own venv (`make bench` builds them):
#   bench_automl.py:  .venv-bench-automl: autokeras 3.0.0 needs keras<3.13 and TensorFlow.
#                     tensorboard: keras-tuner 1.4.8 imports it in every trial on TensorFlow, and
#                     tensorflow-cpu 2.21 no longer installs it (without it every trial fails).
#   bench_serving.py: .venv-bench-serving: mlflow and litserve serving the same Keras model.
#   bench_cloud.py:   runs in .venv (its baselines are plain torch DDP and jax.distributed loops)
AUTOML_PEER_VENV := .venv-bench-automl
AUTOML_PEERS := autokeras==3.0.0 keras==3.12.4 tensorflow-cpu==2.21.0 tensorboard==2.21.0 scikit-learn pandas
SERVING_PEER_VENV := .venv-bench-serving
SERVING_PEERS := mlflow litserve keras==3.15.1 "jax[cpu]==0.10.2" tokenizers safetensors regex sentencepiece \
	scikit-learn

.PHONY: demo test test-fast bench lint js clean help

help:
	@sed -n '2,6p' Makefile

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[$(DEMO_EXTRAS)]"
	touch $@

# TF Serving's own gRPC client (the oracle of serving's gRPC test) pins the full
# `tensorflow` package next to our tensorflow-cpu: installed without its dependencies.
TEST_ORACLES_NODEPS := tensorflow-serving-api==2.21.0

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[$(TEST_EXTRAS)]"
	$(PY) -m pip install --no-deps $(TEST_ORACLES_NODEPS)
	touch $@ $(VENV)/.demo-installed

# The TF.js runtime used to verify exports (skipped with a note when npm is absent).
js/node_modules/.installed: js/package.json
	@if command -v npm >/dev/null 2>&1; then \
		if [ -f js/package-lock.json ]; then npm ci --prefix js --no-audit --no-fund; \
		else npm install --prefix js --no-audit --no-fund; fi && touch $@; \
	else echo "npm not found: TF.js runtime tests will be skipped (apt-get install nodejs npm)"; fi

js: js/node_modules/.installed

demo: $(VENV)/.demo-installed js
	$(PY) examples/demo.py

test: $(VENV)/.test-installed js
	KERAS_BACKEND=jax $(PY) -m pytest $(PYTEST_ARGS)
	KERAS_BACKEND=torch $(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test-installed js
	KERAS_BACKEND=jax $(PY) -m pytest --skip-slow $(PYTEST_ARGS)
	KERAS_BACKEND=torch $(PY) -m pytest --skip-slow $(PYTEST_ARGS)

$(BENCH_PY):
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --upgrade pip

$(BENCH_VENV)/.installed: pyproject.toml | $(BENCH_PY)
	$(BENCH_PY) -m pip install -e ".[$(TEST_EXTRAS)]" $(BENCH_PEERS)
	$(BENCH_PY) -m pip install --no-deps $(BENCH_TFJS)
	touch $@

$(AUTOML_PEER_VENV)/.installed:
	$(PYTHON) -m venv $(AUTOML_PEER_VENV)
	$(AUTOML_PEER_VENV)/bin/python -m pip install $(AUTOML_PEERS)
	touch $@

$(SERVING_PEER_VENV)/.installed:
	$(PYTHON) -m venv $(SERVING_PEER_VENV)
	$(SERVING_PEER_VENV)/bin/python -m pip install $(SERVING_PEERS)
	touch $@

bench: $(BENCH_VENV)/.installed $(AUTOML_PEER_VENV)/.installed $(SERVING_PEER_VENV)/.installed js
	KERAS_BACKEND=$${KERAS_BACKEND:-jax} $(BENCH_PY) benchmarks/run_all.py

lint: $(VENV)/.test-installed
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(AUTOML_PEER_VENV) $(SERVING_PEER_VENV) js/node_modules .pytest_cache .ruff_cache
