"""Where runs execute: in this process, on all cores, or on a Dask cluster.

Every backend is a ``concurrent.futures.Executor`` (or none, for serial); :func:`execute` feeds
any executor tasks with a bounded number in flight and hands back results as they complete.
A user with an executor of their own (a cluster client, a custom pool) passes it directly.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sim.errors import UsageError, require_whole

BACKENDS = ("serial", "processes", "dask")


class RunAborted(Exception):
    """The ensemble stopped before its end (a worker died, the cluster went away).

    Chunks finished before the stop are kept by a result store; ``--resume`` continues.
    """


class Interrupted(RunAborted):
    """The user stopped the ensemble (Ctrl-C); saved chunks can be resumed."""


class FailureLog:
    """The runs that raised, across every ensemble of a command: how many, and the first ones with their traceback."""

    def __init__(self) -> None:
        self.count = 0
        self.first: list[dict[str, Any]] = []

    def note(self, tally: Any) -> None:
        """Count a finished chunk's failed runs (``tally.count["failed"]``, ``tally.failures``)."""
        failed = tally.count.get("failed", 0)
        if failed:
            self.count += failed
            self.first = sorted(self.first + list(tally.failures), key=lambda f: f["run_id"])[:10]

    def line(self) -> str:
        """``3 runs failed (first: run 7, seed 42: ZeroDivisionError: ...)``."""
        f = self.first[0] if self.first else {"run_id": "?", "seed": "?", "error": "?"}
        runs = "run" if self.count == 1 else "runs"
        return f"{self.count:,} {runs} failed (first: run {f['run_id']}, seed {f['seed']}: {f['error']})"

    def text(self) -> str:
        """The first failures with their tracebacks, for a result's failures.txt."""
        parts = [self.line(), ""]
        for f in self.first:
            parts += [f"run {f['run_id']}, seed {f['seed']}: {f['error']}", f.get("traceback", "").rstrip(), ""]
        return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class Execution:
    """Where and how runs execute. Nothing here changes a result, only how fast it comes.

    Attributes:
        backend: ``serial``, ``processes`` or ``dask``; by default processes on all cores, or
            serial for one worker or one chunk.
        workers: processes (default: all cores); never more are started than there are chunks.
        executor: a ``concurrent.futures.Executor`` of your own (a Dask client's
            ``get_executor()``...); overrides ``backend``.
        scheduler: the address of a running Dask scheduler (``tcp://host:8786``), with ``dask``.
        progress: called in this process with the number of runs just finished; or True, for a
            tqdm progress bar (``tqdm.auto``: a widget in a notebook, a line in a terminal).
        failures: a :class:`FailureLog` that counts the runs that raised (a command reports them).
    """

    backend: str | None = None
    workers: int | None = None
    executor: Executor | None = None
    scheduler: str | None = None
    progress: Callable[[int], None] | bool | None = None
    failures: FailureLog | None = None

    def __post_init__(self) -> None:
        if self.backend is not None and self.backend not in BACKENDS:
            raise UsageError(f"backend = {self.backend!r}: must be one of {', '.join(BACKENDS)}")
        if self.scheduler and self.backend != "dask":
            raise UsageError(f"scheduler = {self.scheduler!r}: only with backend dask")
        if self.workers is not None:
            require_whole("workers", self.workers, 1)
            most = WORKERS_PER_CORE * default_workers()
            if self.workers > most and not self.scheduler:  # a remote cluster's size is its own business
                raise UsageError(
                    f"workers = {self.workers}: at most {most} here ({default_workers()} cores x {WORKERS_PER_CORE}); "
                    "more processes than that only wait for a core, and the system may refuse to start them"
                )

    def advance(self, runs: int) -> None:
        """Report ``runs`` more runs finished."""
        if callable(self.progress):
            self.progress(runs)

    def settings(self) -> dict[str, Any]:
        """What a manifest records of it."""
        return {"backend": self.backend or "auto", "workers": self.workers}


WORKERS_PER_CORE = 4  # local worker processes at most per core (the runs are CPU-bound: one a core is best)


def default_workers() -> int:
    """All the cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def process_context() -> multiprocessing.context.BaseContext:
    """How to start worker processes, whatever the process-wide default.

    (``mesa.batch_run`` sets the default to spawn, process-wide.) Fork when this process has a
    single Python thread: it starts fast and does not re-import the caller's ``__main__`` (so
    it works from notebooks, ``python -`` and scripts without a ``__main__`` guard). With other
    threads running (a Jupyter kernel, a Dask client), forking is unsafe: use forkserver.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.runs.ensemble"])
        return ctx
    return multiprocessing.get_context("spawn")


@contextmanager
def open_executor(backend: str, workers: int, scheduler: str | None = None) -> Iterator[Executor | None]:
    """An executor for a backend: None (serial), a process pool, or a Dask client's executor.

    Args:
        backend: ``serial``, ``processes`` or ``dask``.
        workers: processes to start (for ``dask`` without ``scheduler``: LocalCluster workers).
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); ``dask`` only.
    """
    if backend not in BACKENDS:
        raise UsageError(f"backend = {backend!r}: must be one of {', '.join(BACKENDS)}")
    if scheduler and backend != "dask":
        raise UsageError(f"scheduler = {scheduler!r}: only with backend dask")
    if backend == "serial":
        yield None
    elif backend == "processes":
        with warnings.catch_warnings():
            # Fork is only chosen when no other Python thread runs; the threads Python still
            # warns about are idle native ones (numpy's BLAS pool), which workers never use.
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=process_context(),
                initializer=_worker_start,
            )
            try:
                yield pool
            except BaseException:
                _abandon(pool)  # chunks in flight are not waited for: --resume redoes them
                raise
            pool.shutdown(wait=True)
    else:
        with _dask_executor(workers, scheduler) as executor:
            yield executor


def _worker_start() -> None:
    """In each worker: end with the process that started it, and leave signals to it.

    SIGTERM ends the worker (the ``sim`` command's own SIGTERM handler is not inherited); Ctrl-C,
    which a terminal sends to the whole process group, is ignored: the main process decides
    what to stop and stops the workers itself. A watchdog thread ends the worker within a second
    of its parent's death however the parent died (``kill -9`` included; a fork server, the parent
    where threads forbid forking, ends with the command too), so no worker outlives the command.
    (Linux's ``PR_SET_PDEATHSIG`` would fire when the parent's *thread* that started the worker
    ends, which kills the workers of a pool started from a short-lived thread.)
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()  # the command, or the fork server that started this worker for it
    threading.Thread(target=_end_with, args=(parent,), name="sim-parent-watch", daemon=True).start()


def _end_with(parent: int) -> None:
    """Exit this process as soon as ``parent`` is no longer its parent (it died; the worker was re-parented)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


PARENT_CHECK_SECONDS = 0.5


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once after a failure here (Ctrl-C, SIGTERM, a full disk), without waiting on its workers.

    A worker terminated while it sends a chunk leaves a torn message in the pool's result pipe,
    and the pool's manager thread would wait for the rest of it forever (so would
    ``shutdown(wait=True)``, and Python's exit, which joins that thread). Closing this process's
    copy of the pipe's writing end, once the workers are gone, turns that wait into an end of
    file: the pool sees itself broken and its thread ends.
    """
    _stop_workers(pool)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()
    pool.shutdown(wait=False, cancel_futures=True)
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(timeout=10)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes at once (Ctrl-C, SIGTERM, a failure).

    Python 3.14 has ``pool.terminate_workers()``; before it, the processes are reached through
    the pool's private ``_processes``, and if that is gone the normal shutdown still happens.
    """
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


@contextmanager
def _dask_executor(workers: int, scheduler: str | None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency
        raise UsageError(
            "backend = 'dask' needs the dask extra: pip install -e '.[dask]' in a clone ('dealsim[dask]' from an index)"
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            client = Client(cluster)
    except OSError as exc:
        raise UsageError(f"scheduler = {scheduler!r}: cannot connect ({exc})") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(
    tasks: Iterable[tuple],
    fn: Callable[..., Any],
    executor: Executor | None,
    on_result: Callable[[Any], None],
    in_flight: int = 8,
) -> None:
    """Run ``fn(*task)`` for every task and pass each result to ``on_result`` as it completes.

    At most ``in_flight`` tasks are submitted at once, so memory stays bounded however many
    tasks there are. Results may arrive in any order. A dead worker raises :class:`RunAborted`.
    """
    if executor is None:
        for task in tasks:
            on_result(fn(*task))
        return
    queue = iter(tasks)
    pending: set[Future] = set()

    def refill() -> None:
        while len(pending) < in_flight:
            task = next(queue, None)
            if task is None:
                return
            pending.add(executor.submit(fn, *task))

    try:
        refill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                on_result(future.result())
            refill()
    except BrokenProcessPool as exc:
        raise RunAborted(f"a worker process died ({exc})") from None
    finally:
        for future in pending:
            future.cancel()
