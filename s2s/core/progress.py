"""Progress for long commands: one line counting up on a terminal, a line now and then in a log."""

from collections.abc import Callable

from django.utils.translation import gettext as _


def progress_printer(stdout, noun: str, *, every: int = 500) -> Callable[[int, int], None]:
    """Return `progress(done, total)` that reports "done of total noun" on `stdout`."""

    def progress(done: int, total: int) -> None:
        values = {"done": done, "total": total, "noun": noun}
        if stdout.isatty():
            stdout.write("\r" + _("%(done)d of %(total)d %(noun)s") % values,
                         ending="\n" if done >= total else "")
            stdout.flush()
        elif done % every == 0 or done >= total:
            stdout.write(_("%(done)d of %(total)d %(noun)s") % values)

    return progress
