"""What every runner does per node: resolve inputs, look up the cache, run the executor
on folders written aside, register outputs in one transaction only on success."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import glob
import hashlib
import inspect
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from typing import Any

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import BaseNode
from kerasverse.pipeline.components.base_component import SkipExecution
from kerasverse.pipeline.dsl.pipeline import Pipeline
from kerasverse.pipeline.dsl.resolver import Resolver
from kerasverse.pipeline.metadata.store import MetadataStore
from kerasverse.pipeline.types.artifact import Artifact

logger = logging.getLogger("kerasverse.pipeline")

COMPLETE, CACHED, FAILED, SKIPPED = "COMPLETE", "CACHED", "FAILED", "SKIPPED"


class PipelineRunResult(dict):
    """`run(pipeline)`'s result: component id -> state (COMPLETE, CACHED, FAILED, SKIPPED).

    Also carries `run_id`, `pipeline_name`, `metadata_url`, the `errors` of
    failed components and the `outputs` (id -> key -> artifacts) of this run.
    """

    def __init__(self, states: dict[str, str], run_id: str, pipeline_name: str, metadata_url: str,
                 errors: dict[str, BaseException], outputs: dict[str, dict[str, list[Artifact]]]) -> None:
        super().__init__(states)
        self.run_id = run_id
        self.pipeline_name = pipeline_name
        self.metadata_url = metadata_url
        self.errors = errors
        self.outputs = outputs


def _hash_file(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _property_for_key(value: Any) -> Any:
    if callable(value) and not isinstance(value, type):
        try:
            return "fn:" + hashlib.sha256(inspect.getsource(value).encode()).hexdigest()
        except (OSError, TypeError):
            return f"fn:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    value = proto.to_json(value)
    try:
        json.dumps(value)
    except TypeError:
        return f"object:{type(value).__name__}"
    return value


def cache_key(node: BaseComponent, input_dict: dict[str, list[Artifact]], pipeline_name: str = "") -> str:
    """The hash of what determines a component's outputs: class, id, input artifact ids,
    properties, module file content and the component's own fingerprint (input files).

    The pipeline's name is part of it: as in TFX, whose cache lookup is scoped to
    the pipeline's context, a pipeline never reuses another pipeline's outputs
    from a shared store (they would not be attributed to it, so its resolvers
    could not see them)."""
    from kerasverse.version import __version__

    inputs = node.cache_inputs(input_dict) if hasattr(node, "cache_inputs") else input_dict
    excluded = getattr(node, "CACHE_EXCLUDED_PROPERTIES", ("data",))
    payload = {
        "class": f"{type(node).__module__}.{type(node).__qualname__}",
        "executor": f"{node.EXECUTOR_CLASS.__module__}.{node.EXECUTOR_CLASS.__qualname__}",
        "id": node.id,
        "pipeline": pipeline_name,
        "inputs": {key: [artifact.id for artifact in artifacts] for key, artifacts in sorted(inputs.items())},
        "properties": {key: _property_for_key(value) for key, value in sorted(node.exec_properties.items())
                       if key not in excluded},
        "fingerprint": node.cache_fingerprint() if hasattr(node, "cache_fingerprint") else "",
        "kerasverse": __version__,
    }
    module_file = node.exec_properties.get("module_file")
    if module_file:
        if not os.path.isfile(module_file):
            raise ValueError(f"{node.id}: module_file={module_file!r} does not exist. Fix: give the path of your module file.")
        payload["module_file"] = _hash_file(module_file)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_executor(executor_class: type[BaseExecutor], context: BaseExecutor.Context,
                 input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
                 exec_properties: dict[str, Any]) -> tuple[str, dict[str, list[Artifact]], str]:
    """Runs one executor; returns (state, output_dict with properties set, skip reason).

    A plain function of picklable arguments, so a Ray task can run it.
    """
    executor = executor_class(context)
    try:
        executor.Do(input_dict, output_dict, exec_properties)
    except SkipExecution as skip:
        return SKIPPED, output_dict, str(skip)
    return COMPLETE, output_dict, ""


ExecutorCall = Callable[[type[BaseExecutor], BaseExecutor.Context, dict, dict, dict], tuple]


@dataclasses.dataclass
class _NodeRun:
    state: str
    outputs: dict[str, list[Artifact]]
    execution_id: int | None = None
    resolved_ids: set[int] = dataclasses.field(default_factory=set)  # Resolvers only.


class PipelineLauncher:
    """Runs a pipeline's nodes with a given way of calling executors.

    With `max_concurrent=1` nodes run one after the other in topological order
    (LocalDagRunner). With more, a node starts as soon as its upstream nodes are
    done (RayDagRunner): the driver keeps one thread per running node, each of
    which looks up the cache, registers the execution, waits for its executor
    and publishes the outputs in one transaction. The store is only written
    here, in the driver, under the store's lock.
    """

    def __init__(self, pipeline: Pipeline, call_executor: ExecutorCall,
                 parallel_map: Callable[[Callable, list], list] | None = None,
                 max_concurrent: int | None = 1) -> None:
        self.pipeline = pipeline
        self.call_executor = call_executor
        self.parallel_map = parallel_map
        self.max_concurrent = max_concurrent
        self.run_id = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time_ns() % 10**9:09d}"

    def run(self) -> PipelineRunResult:
        pipeline = self.pipeline
        os.makedirs(pipeline.pipeline_root, exist_ok=True)
        store = MetadataStore(pipeline.metadata_url)
        try:
            return self._run(store)
        finally:
            store.dispose()

    def _contexts(self, node: BaseNode) -> list[tuple[str, str]]:
        name = self.pipeline.pipeline_name
        return [("pipeline", name), ("pipeline_run", f"{name}.{self.run_id}"), ("node", f"{name}.{node.id}")]

    def dependencies(self) -> dict[str, list[str]]:
        """Node id -> ids of the nodes that must be done before it starts.

        A component waits for the producers of its input channels. A Resolver
        (whose inputs are store queries, not edges) waits for the nodes listed
        before it that produce its channels' artifact types, so it resolves the
        same artifacts whether the nodes run one after the other or concurrently.
        """
        order = self.pipeline.components
        depends: dict[str, list[str]] = {}
        for index, node in enumerate(order):
            if isinstance(node, Resolver):
                wanted = {channel.type_name for channel in node.inputs.values()}
                depends[node.id] = [other.id for other in order[:index]
                                    if any(channel.type_name in wanted for channel in other.outputs.values())]
            else:
                depends[node.id] = [upstream.id for upstream in node.upstream_nodes]
        return depends

    def _run(self, store: MetadataStore) -> PipelineRunResult:
        runs: dict[str, _NodeRun] = {}
        errors: dict[str, BaseException] = {}
        if self.max_concurrent == 1:
            for node in self.pipeline.components:
                runs[node.id] = self._run_node(store, node, runs, errors)
        else:
            self._run_concurrently(store, runs, errors)
        # A resolver that only found artifacts this run reused from the cache did no new
        # work: the runner reports it CACHED, and so does the store.
        reused = {artifact.id for run in runs.values() if run.state == CACHED
                  for artifacts in run.outputs.values() for artifact in artifacts}
        for run in runs.values():
            ids = run.resolved_ids
            if run.state == COMPLETE and ids and ids <= reused:
                run.state = CACHED
                store.set_execution_state(run.execution_id, CACHED, properties={
                    "cached_because": "resolved only artifacts this run reused from the cache"})
        return PipelineRunResult(
            {node.id: runs[node.id].state for node in self.pipeline.components}, self.run_id,
            self.pipeline.pipeline_name, self.pipeline.metadata_url, errors,
            {node.id: runs[node.id].outputs for node in self.pipeline.components},
        )

    def _run_concurrently(self, store: MetadataStore, runs: dict[str, _NodeRun],
                          errors: dict[str, BaseException]) -> None:
        nodes = {node.id: node for node in self.pipeline.components}
        depends = self.dependencies()
        pending = list(nodes)  # Topological order: ties start in the pipeline's order.
        workers = len(nodes) if self.max_concurrent is None else self.max_concurrent
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers),
                                                   thread_name_prefix="kerasverse-pipeline") as pool:
            running: dict[concurrent.futures.Future, str] = {}
            while pending or running:
                for node_id in [n for n in pending if all(d in runs for d in depends[n])]:
                    if self.max_concurrent is not None and len(running) >= self.max_concurrent:
                        break
                    pending.remove(node_id)
                    snapshot = dict(runs)  # Upstream runs are final; the thread only reads them.
                    running[pool.submit(self._run_node, store, nodes[node_id], snapshot, errors)] = node_id
                if not running:  # pragma: no cover - dependencies() only points backwards.
                    raise RuntimeError(f"Pipeline {self.pipeline.pipeline_name!r}: nodes {pending} cannot start.")
                done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    runs[running.pop(future)] = future.result()

    def _run_node(self, store: MetadataStore, node: BaseNode, runs: dict[str, _NodeRun],
                  errors: dict[str, BaseException]) -> _NodeRun:
        if isinstance(node, Resolver):
            return self._run_resolver(store, node)
        input_dict, missing = self._inputs(node, runs)
        if missing:
            logger.info("%s: SKIPPED (no %s from upstream)", node.id, ", ".join(missing))
            return _NodeRun(SKIPPED, {})
        try:
            run = self._run_component(store, node, input_dict)
        except Exception as error:  # noqa: BLE001 - recorded, then re-raised by the runner.
            run = _NodeRun(FAILED, {})
            errors[node.id] = error
        logger.info("%s: %s", node.id, run.state)
        return run

    def _run_resolver(self, store: MetadataStore, node: Resolver) -> _NodeRun:
        """Resolves from the store. As TFX's resolver handler, the execution is registered
        and published at once with the resolved artifacts as outputs; its state is CACHED
        when the resolution equals the previous run's (no new inputs for downstream), else
        COMPLETE -- the state the runner reports."""
        outputs = node.resolve(store, self.pipeline.pipeline_name)
        resolved = {key: [artifact.id for artifact in artifacts] for key, artifacts in outputs.items()}
        previous = store.get_executions(component_id=node.id, context=("pipeline", self.pipeline.pipeline_name))
        unchanged = bool(previous) and previous[-1]["properties"].get("resolved") == resolved
        state = CACHED if unchanged else COMPLETE
        execution_id = store.start_execution(node.id, "Resolver", cache_key="", contexts=self._contexts(node),
                                             inputs={}, properties={"resolved": resolved, "run_id": self.run_id})
        store.publish_execution(execution_id, outputs, state=state)
        logger.info("%s: %s", node.id, state)
        return _NodeRun(state, outputs, execution_id=execution_id,
                        resolved_ids={i for ids in resolved.values() for i in ids})

    def _inputs(self, node: BaseNode, runs: dict[str, _NodeRun]) -> tuple[dict[str, list[Artifact]], list[str]]:
        input_dict: dict[str, list[Artifact]] = {}
        missing = []
        spec_inputs = getattr(node, "SPEC_CLASS", None).INPUTS
        for key, channel in node.inputs.items():
            producer = channel.producer
            artifacts = runs[producer.id].outputs.get(channel.output_key, []) if producer else []
            if not artifacts and not spec_inputs[key].optional:
                missing.append(key)
            input_dict[key] = list(artifacts)
        return input_dict, missing

    def _run_component(self, store: MetadataStore, node: BaseComponent,
                       input_dict: dict[str, list[Artifact]]) -> _NodeRun:
        key = cache_key(node, input_dict, self.pipeline.pipeline_name)
        contexts = self._contexts(node)
        if self.pipeline.enable_cache:
            cached = self._cached_outputs(store, key)
            if cached is not None:
                execution_id = store.start_execution(node.id, type(node).__name__, key, contexts, input_dict,
                                                     properties={"run_id": self.run_id})
                store.publish_execution(execution_id, cached, state=CACHED)
                return _NodeRun(CACHED, cached)
        properties = {"run_id": self.run_id, "exec_properties": {
            name: _property_for_key(value) for name, value in node.exec_properties.items()
            if name not in getattr(node, "CACHE_EXCLUDED_PROPERTIES", ("data",))}}
        execution_id = store.start_execution(node.id, type(node).__name__, key, contexts, input_dict,
                                             properties=properties)
        node_dir = os.path.join(self.pipeline.pipeline_root, node.id)
        for stale in glob.glob(os.path.join(node_dir, "*", ".staging-*")):
            shutil.rmtree(stale, ignore_errors=True)  # Left by a killed run: never registered.
        output_dict: dict[str, list[Artifact]] = {}
        final_uris: dict[str, str] = {}
        for output_key, channel in node.outputs.items():
            staging = os.path.join(node_dir, output_key, f".staging-{execution_id}")
            os.makedirs(staging, exist_ok=True)
            artifact = channel.type(staging)
            artifact.producer_component = node.id
            artifact.name = f"{self.pipeline.pipeline_name}:{self.run_id}:{node.id}:{output_key}"
            output_dict[output_key] = [artifact]
            final_uris[output_key] = os.path.join(node_dir, output_key, str(execution_id))
        context = BaseExecutor.Context(component_id=node.id, pipeline_root=self.pipeline.pipeline_root,
                                       tmp_dir=os.path.join(node_dir, ".tmp", str(execution_id)),
                                       parallel_map=self.parallel_map)
        started = time.time()
        try:
            state, output_dict, reason = self.call_executor(node.EXECUTOR_CLASS, context, input_dict,
                                                            output_dict, dict(node.exec_properties))
        except BaseException as error:
            store.set_execution_state(execution_id, FAILED, properties={"error": f"{type(error).__name__}: {error}"})
            for output_key in output_dict:
                shutil.rmtree(os.path.dirname(final_uris[output_key]) + f"/.staging-{execution_id}", ignore_errors=True)
            raise
        finally:
            shutil.rmtree(context.tmp_dir, ignore_errors=True)
        if state == SKIPPED:
            for output_key in output_dict:
                shutil.rmtree(os.path.join(node_dir, output_key, f".staging-{execution_id}"), ignore_errors=True)
            store.set_execution_state(execution_id, "CANCELED", properties={"skipped": reason})
            logger.info("%s: skipped: %s", node.id, reason)
            return _NodeRun(SKIPPED, {})
        for output_key, artifacts in output_dict.items():
            os.rename(os.path.join(node_dir, output_key, f".staging-{execution_id}"), final_uris[output_key])
            for artifact in artifacts:
                artifact.uri = final_uris[output_key]
        store.publish_execution(execution_id, output_dict, state=COMPLETE,
                                properties={"duration_s": round(time.time() - started, 3)})
        logger.info("%s: ran in %.2f s", node.id, time.time() - started)
        return _NodeRun(COMPLETE, output_dict)

    def _cached_outputs(self, store: MetadataStore, key: str) -> dict[str, list[Artifact]] | None:
        for execution in reversed(store.get_executions(cache_key=key)):
            if execution["state"] not in (COMPLETE, CACHED):
                continue
            outputs = store.get_execution_outputs(execution["id"])
            if outputs and all(os.path.exists(a.uri) for artifacts in outputs.values() for a in artifacts):
                return outputs
        return None
