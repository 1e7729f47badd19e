"""What a run's kernel gets, without touching the process that starts it.

Several runs may execute at once in one process (a Dask worker runs them on threads), so
nothing here writes `os.environ`, redirects this process's stderr or kills processes it
did not start. Each run gets its own kernel manager class (`RunKernels.manager_class`),
which launches the kernel with the run's environment and its stderr in the run's
`kernel.log`, and remembers the kernel's process so that `RunKernels.kill` stops exactly
that kernel (and what the kernel itself started).

A notebook can ask for settings in its metadata entry `kit` (read by `notebook_settings`):

    "kit": {"env": {"GOMP_SPINCOUNT": "10000"}, "record_versions": ["torch"]}

`env` is added to its kernel's environment unless the variable is already set (what the
user exported wins); `record_versions` names distributions whose versions go into
run.json beside python, kit and papermill.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import notebooks
from kit.errors import UsageError, quote


@dataclass(frozen=True)
class NotebookSettings:
    """A notebook's own kernel settings (its metadata `kit.env`, `kit.record_versions`)."""

    env: dict[str, str] = field(default_factory=dict)
    record_versions: list[str] = field(default_factory=list)


def notebook_settings(nb_path: Path) -> NotebookSettings:
    """The `env` and `record_versions` of a notebook's metadata `kit`; UsageError if malformed."""
    kit_meta = notebooks.kit_metadata(Path(nb_path))
    env = kit_meta.get("env", {})
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and k and "=" not in k and "\0" not in k + str(v) and isinstance(v, str)
        for k, v in env.items()
    ):
        raise UsageError(
            f"{nb_path}: metadata kit.env must map variable names to strings, got {quote(env)}"
        )
    dists = kit_meta.get("record_versions", [])
    if not isinstance(dists, list) or not all(isinstance(d, str) and d for d in dists):
        raise UsageError(
            f"{nb_path}: metadata kit.record_versions must be a list of distribution names, "
            f"got {quote(dists)}"
        )
    return NotebookSettings(dict(env), list(dists))


def kernel_environment(
    base: Mapping[str, str], defaults: Mapping[str, str], forced: Mapping[str, str]
) -> dict[str, str]:
    """`base` (the environment the kernel would inherit) with `defaults` for the variables
    it lacks and `forced` over everything."""
    return {**defaults, **base, **forced}


class RunKernels:
    """The kernels of one run: launched with its environment and stderr file, killed by it.

    Pass `manager_class` to papermill (`kernel_manager_class=`); call `kill()` when the run
    is over to stop any of its kernels still alive (a no-op after a clean shutdown).
    """

    def __init__(
        self, env_defaults: Mapping[str, str], env_forced: Mapping[str, str], stderr_path: Path
    ) -> None:
        self.env_defaults = dict(env_defaults)
        self.env_forced = dict(env_forced)
        self.stderr_path = Path(stderr_path)
        self.processes: list[Any] = []  # psutil.Process of each kernel launched
        self.manager_class = _manager_class(self)

    def launched(self, pid: int) -> None:
        import psutil

        with contextlib.suppress(psutil.Error):
            self.processes.append(psutil.Process(pid))

    def kill(self) -> None:
        """Kill this run's kernels that are still running, with their own children."""
        import psutil

        killed = []
        for kernel in self.processes:
            try:
                if not kernel.is_running():  # gone (is_running also sees a reused pid)
                    continue
                family = [*kernel.children(recursive=True), kernel]
            except psutil.Error:
                continue
            for proc in family:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            killed.append(kernel)
        psutil.wait_procs(killed, timeout=3)  # reap the kernels: our own children


def _manager_class(kernels: RunKernels) -> type:
    """A kernel manager class bound to one run's `RunKernels`.

    It talks to its kernel over Unix sockets, not TCP ports: kernels started at once by
    parallel runs pick TCP ports independently and can collide, leaving one kernel that
    never answers ("Kernel didn't respond in 60 seconds"); socket files with a unique name
    in the temporary folder cannot collide.
    """
    from jupyter_client.manager import AsyncKernelManager

    class RunKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            ip = os.path.join(tempfile.gettempdir(), f"kit-kernel-{uuid.uuid4().hex}")
            super().__init__(**{**kwargs, "transport": "ipc", "ip": ip})

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # Called for every start and restart; kw holds the Popen arguments.
            kw["env"] = kernel_environment(
                kw.get("env") or os.environ, kernels.env_defaults, kernels.env_forced
            )
            with open(kernels.stderr_path, "ab") as log:  # the kernel keeps its own copy
                await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": log})
            pid = getattr(self.provisioner, "pid", None)
            if pid is not None:
                kernels.launched(pid)

    return RunKernelManager
