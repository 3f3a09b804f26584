"""Run parsing of untrusted files in resource-limited worker processes.

One hostile file must cost one item, not the batch: each worker has an
address-space limit (RLIMIT_AS) and defused stdlib XML parsers, every item
has a wall-clock timeout, and when a worker dies the items that were in flight
are re-run one at a time in a fresh pool to find the culprit.

Workers die with their parent: on Linux the kernel kills them when it goes
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``), elsewhere a watchdog thread ends the worker
once the parent is gone. A worker's own stderr goes to the null device, so what a
native library prints when it runs out of memory (a Rust panic) never reaches the
officer's terminal: the item's failure is reported instead.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from xlsaddin.core.processes import pid_alive
from xlsaddin.intake.limits import DEFAULT_LIMITS, Limits

try:  # POSIX only; elsewhere workers run without limits
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class WorkerFailure:
    """An item whose worker ran out of memory or time, crashed, or raised."""

    item_index: int
    reason: str
    """'timeout', 'crashed', 'memory', or 'error: <Type>: <message>'."""


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when ``parent`` (the process that runs isolated_map) ends.

    Linux: the kernel sends SIGKILL when the process that forked this one ends: the
    parent itself (fork, spawn), or a forkserver, which ends when the parent does.
    Elsewhere (or without prctl) a daemon thread polls the parent.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
                if os.getppid() == 1 or not pid_alive(parent):
                    os._exit(1)  # the parent went before prctl took effect
                return
        except (OSError, AttributeError):  # pragma: no cover - no prctl: watch instead
            pass
    watcher = threading.Thread(target=_watch, args=(parent,), name="xlsaddin-parent", daemon=True)
    watcher.start()


def _watch(parent: int) -> None:  # pragma: no cover - non-Linux platforms
    while pid_alive(parent):
        time.sleep(0.5)
    os._exit(1)


def _quiet() -> None:
    """Send this worker's stdout and stderr (file descriptors 1 and 2) to the null device,
    and stop Python's fault handler (it may write to a saved copy of the terminal)."""
    import faulthandler

    faulthandler.disable()
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # pragma: no cover
        return
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            os.dup2(null, fd)
    os.close(null)


def _address_space() -> int:
    """This process's address space in bytes (Linux), 0 if unknown."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _init_worker(memory_bytes: int, parent: int, quiet: bool = True, forked: bool = False) -> None:
    """Pool initializer: die with the parent, silence native output, cap the address
    space, defuse stdlib XML, no core dumps."""
    _die_with_parent(parent)
    if quiet:
        _quiet()
    # Everything inherited from the parent is long-lived: move it out of the collector's
    # reach, so that collections in the worker only walk the worker's own objects (a full
    # collection otherwise walks, and copies on write, the whole inherited heap).
    gc.freeze()
    gc.enable()  # the parent may have paused it (see xlsaddin.gc_pause)
    if resource is not None and sys.platform != "darwin":
        try:
            if memory_bytes > 0:
                limit = _address_space() + memory_bytes
                _, hard = resource.getrlimit(resource.RLIMIT_AS)
                soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
                resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            _, core_hard = resource.getrlimit(resource.RLIMIT_CORE)
            resource.setrlimit(resource.RLIMIT_CORE, (0, core_hard))
        except (ValueError, OSError):  # pragma: no cover - refused by the OS: run unlimited
            pass
    _defuse_xml(block=forked)


#: Standard-library XML modules nothing in a worker parses with (xlsaddin's own parsing is
#: expat with handlers only and defusedxml.ElementTree; calamine parses in Rust).
_UNUSED_XML = (
    "xml.dom.minidom",
    "xml.dom.pulldom",
    "xml.dom.expatbuilder",
    "xml.sax",
    "xml.sax.expatreader",
    "xmlrpc.client",
    "xmlrpc.server",
)


def _defuse_xml(*, block: bool) -> None:
    """No standard-library XML parser in a worker expands entities or fetches DTDs.

    ``block`` (a forked worker: it runs the code its parent already imported): ElementTree
    is defused (defusedxml's functions replace the module's) and the parsers nothing here
    uses are blocked (importing one fails) rather than defused: ``defusedxml.
    defuse_stdlib()`` imports them all, with urllib.request, http.client and xmlrpc, which
    costs about 20 ms per worker, 1/15 of what ``validate ONE.xlsx`` takes
    (docs/performance.md). A parser the parent already loaded cannot be blocked; a worker
    started fresh (forkserver, spawn) imports the modules of what it runs after this, and
    one of them might need a blocked parser: in both cases every parser is defused.
    """
    import defusedxml
    import defusedxml.ElementTree as safe_tree

    if not block or any(sys.modules.get(name) is not None for name in _UNUSED_XML):
        defusedxml.defuse_stdlib()
        return
    for name in _UNUSED_XML:
        sys.modules[name] = None  # type: ignore[assignment]
    import xml.etree.ElementTree as tree

    for name, value in vars(safe_tree).items():
        if not name.startswith("_") and hasattr(tree, name):
            setattr(tree, name, value)


@dataclass(frozen=True)
class _Raised:
    """What ``func`` raised, as plain text: exceptions may not survive pickling."""

    reason: str


def _call(func: Callable[[T], R], item: T) -> R | _Raised:
    """Runs in the worker: turn exceptions into a picklable marker."""
    try:
        return func(item)
    except MemoryError:
        return _Raised("memory")
    except Exception as exc:
        return _Raised(f"error: {type(exc).__name__}: {exc}")


def process_context() -> BaseContext:
    """fork when this process has a single thread (fast: workers inherit the loaded
    code and caches), else forkserver (never fork a threaded parent), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1 and sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _forks(ctx: BaseContext) -> bool:
    return ctx.get_start_method() == "fork"


def isolated_map(
    func: Callable[[T], R],
    items: Sequence[T],
    limits: Limits = DEFAULT_LIMITS,
    *,
    processes: int = 2,
    on_done: Callable[[int], None] | None = None,
) -> list[R | WorkerFailure]:
    """``[func(item) for item in items]`` in limited workers; failures become WorkerFailure.

    ``func`` must be a picklable top-level function and its results picklable.
    Workers start through multiprocessing's forkserver (spawn where unavailable), so
    a calling script needs the usual ``if __name__ == "__main__":`` guard.
    Never raises for a misbehaving item: exceptions, MemoryError, timeouts and
    dead workers all turn into a :class:`WorkerFailure` for that item only.
    ``on_done(index)`` is called in this process as each item settles (for progress).
    """
    results: dict[int, R | WorkerFailure] = _Settled(on_done)
    queue = list(range(len(items)))
    suspects: list[int] = []
    ctx = process_context()
    workers = max(1, processes)
    while queue or suspects:
        if _workers_cannot_start(results):
            # Three crashes and not one success: the pool itself is broken (e.g. the
            # interpreter cannot re-import the caller), not the files. Stop retrying.
            for i in queue + suspects:
                results[i] = WorkerFailure(i, "crashed")
            break
        if suspects:
            # A worker died with these in flight: run them alone to find the culprit.
            crashed, suspects = _run_batch(func, items, suspects, limits, 1, ctx, results)
            for i in crashed:
                results[i] = WorkerFailure(i, "crashed")
            continue
        crashed, queue = _run_batch(func, items, queue, limits, workers, ctx, results)
        if len(crashed) == 1:
            results[crashed[0]] = WorkerFailure(crashed[0], "crashed")
        else:
            suspects = crashed
    return [results[i] for i in range(len(items))]


class _Settled(dict[int, Any]):
    """Results by item index; tells ``on_done`` the first time an item settles."""

    def __init__(self, on_done: Callable[[int], None] | None) -> None:
        super().__init__()
        self._on_done = on_done

    def __setitem__(self, index: int, value: Any) -> None:
        first = index not in self
        super().__setitem__(index, value)
        if first and self._on_done is not None:
            self._on_done(index)


def _workers_cannot_start(results: dict[int, Any]) -> bool:
    crashed = sum(isinstance(r, WorkerFailure) and r.reason == "crashed" for r in results.values())
    return crashed >= 3 and all(isinstance(r, WorkerFailure) for r in results.values())


def _run_batch(
    func: Callable[[T], R],
    items: Sequence[T],
    todo: list[int],
    limits: Limits,
    concurrency: int,
    ctx: BaseContext,
    results: dict[int, R | WorkerFailure],
) -> tuple[list[int], list[int]]:
    """Run ``todo`` in one pool until done or the pool must be discarded.

    Fills ``results``; returns (items in flight when a worker died, items not run).
    """
    if len(todo) == 1:
        return _run_alone(func, items, todo[0], limits, ctx, results)
    queue = deque(todo)
    inflight: dict[Future[R | _Raised], tuple[int, float]] = {}
    crashed: list[int] = []
    settled = False
    pool = ProcessPoolExecutor(
        max_workers=min(concurrency, len(todo)),
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(limits.worker_memory_bytes, os.getpid(), True, _forks(ctx)),
    )
    try:
        _started(pool)  # an item's clock starts with a running worker, not with its start-up
        while queue or inflight:
            broken = False
            while queue and len(inflight) < concurrency:
                index = queue[0]
                try:
                    future = pool.submit(_call, func, items[index])
                except BrokenProcessPool:
                    broken = True
                    break
                queue.popleft()
                inflight[future] = (index, time.monotonic() + limits.worker_timeout_s)
            if not broken:
                nearest = min(deadline for _, deadline in inflight.values())
                done, _ = wait(
                    list(inflight),
                    timeout=max(0.0, nearest - time.monotonic()),
                    return_when=FIRST_COMPLETED,
                )
                for future in done:
                    index, _ = inflight.pop(future)
                    if _collect(future, index, results):
                        broken = True
                        crashed.append(index)
            if broken:
                # Every future still in flight fails with the pool; let it settle, then sort.
                pool.shutdown(wait=True, cancel_futures=True)
                for future, (index, _) in inflight.items():
                    if _collect(future, index, results):
                        crashed.append(index)
                if not crashed and queue:
                    crashed.append(queue.popleft())  # broke while idle: blame the next item
                settled = True
                return crashed, list(queue)
            now = time.monotonic()
            expired = [f for f, (_, deadline) in inflight.items() if deadline <= now]
            if expired:
                for future in expired:
                    index, _ = inflight.pop(future)
                    results[index] = WorkerFailure(index, "timeout")
                innocent = [index for index, _ in inflight.values()]
                return [], innocent + list(queue)  # `finally` kills the stuck worker
        settled = True
        return [], []
    finally:
        if not settled:
            _kill(pool)
        pool.shutdown(wait=True, cancel_futures=True)


#: How long a new pool may take to start its workers before items are sent anyway.
POOL_START_S = 30.0

_READY = b"ready"


def _alone(
    func: Callable[[T], R], item: T, pipe: Any, memory_bytes: int, parent: int, forked: bool
) -> None:
    """Runs in a worker of its own: set up as a pool worker, say so, run, send the result."""
    _init_worker(memory_bytes, parent, forked=forked)
    pipe.send_bytes(_READY)
    pipe.send(_call(func, item))


def _run_alone(
    func: Callable[[T], R],
    items: Sequence[T],
    index: int,
    limits: Limits,
    ctx: BaseContext,
    results: dict[int, R | WorkerFailure],
) -> tuple[list[int], list[int]]:
    """One item in one worker process, without a pool (what one file costs: validate
    ONE.xlsx, a suspect re-run alone). Same limits and outcomes as a pool worker; a pool
    costs about 40 ms more to start and stop (its manager thread, queues, the ready
    round trip). Same return as :func:`_run_batch`."""
    reader, writer = ctx.Pipe(duplex=False)
    worker = ctx.Process(  # type: ignore[attr-defined]
        target=_alone,
        args=(func, items[index], writer, limits.worker_memory_bytes, os.getpid(), _forks(ctx)),
        daemon=True,
    )
    try:
        worker.start()
    except OSError:  # cannot start a process at all (as a pool that cannot start)
        writer.close()
        reader.close()
        return [index], []
    writer.close()  # the worker's end: reading then ends (EOF) when the worker dies
    try:
        # an item's clock starts with a running worker, not with its start-up
        if not reader.poll(POOL_START_S) or reader.recv_bytes() != _READY:
            return [index], []
        if not reader.poll(limits.worker_timeout_s):
            results[index] = WorkerFailure(index, "timeout")
            return [], []
        value = reader.recv()
    except (EOFError, OSError):  # the worker died (memory, a native crash, killed)
        return [index], []
    except Exception as exc:  # a result that cannot be unpickled
        results[index] = WorkerFailure(index, f"error: {type(exc).__name__}: {exc}")
        return [], []
    finally:
        reader.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    results[index] = WorkerFailure(index, value.reason) if isinstance(value, _Raised) else value
    return [], []


def _ready() -> bool:
    return True


def _started(pool: ProcessPoolExecutor) -> None:
    """Wait until the pool's workers run (a loaded machine may take seconds to start
    them); a pool that cannot start shows up as broken on the first real item."""
    with contextlib.suppress(Exception):
        pool.submit(_ready).result(timeout=POOL_START_S)


def _collect(future: Future[Any], index: int, results: dict[int, Any]) -> bool:
    """Store a finished future's outcome; True when it failed because its worker died."""
    if not future.done():
        return True
    try:
        exc = future.exception()
    except BaseException:  # cancelled
        return True
    if exc is None:
        value = future.result()
        results[index] = WorkerFailure(index, value.reason) if isinstance(value, _Raised) else value
    elif isinstance(exc, BrokenProcessPool):
        return True
    elif isinstance(exc, MemoryError):
        results[index] = WorkerFailure(index, "memory")
    else:
        results[index] = WorkerFailure(index, f"error: {type(exc).__name__}: {exc}")
    return False


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes (a stuck worker cannot be interrupted otherwise)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        try:
            if process.is_alive():
                process.kill()
        except Exception:  # already reaped
            pass
