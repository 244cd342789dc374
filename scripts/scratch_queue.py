"""Throw-away RQ queues for the tests and the benchmarks: job ids are global in Redis, so a queue's jobs must go with it."""

from __future__ import annotations


def drop_queue(redis_url: str, queue: str) -> None:
    """Delete every job whose origin is `queue`, then the queue's own keys (lists, registries)."""
    from redis import Redis

    connection = Redis.from_url(redis_url)
    for key in connection.scan_iter("rq:job:*"):
        if connection.hget(key, "origin") == queue.encode():
            connection.delete(key)
    for key in connection.scan_iter(f"rq:*{queue}*"):
        connection.delete(key)
