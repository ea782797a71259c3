"""gunicorn's settings hooks for s2s: `gunicorn -c python:s2s.gunicorn_conf s2s.wsgi`.

Each worker hands its listening sockets to the load shedder (core/shedding.py), which reads
how many connections wait for a worker before taking each request.
"""


def post_worker_init(worker):
    """Give the load shedder this worker's listening sockets."""
    from s2s.core.shedding import listeners_set

    listeners_set(worker.sockets)
