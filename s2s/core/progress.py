"""Progress for long commands: one line counting up on a terminal, a line now and then in a log."""

from collections.abc import Callable


def progress_printer(stdout, noun: str, *, every: int = 500) -> Callable[[int, int], None]:
    """Return `progress(done, total)` that reports "done of total noun" on `stdout`."""

    def progress(done: int, total: int) -> None:
        if stdout.isatty():
            stdout.write(f"\r{done} of {total} {noun}", ending="\n" if done >= total else "")
            stdout.flush()
        elif done % every == 0 or done >= total:
            stdout.write(f"{done} of {total} {noun}")

    return progress
