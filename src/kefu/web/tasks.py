from huey.contrib.djhuey import task


@task()
def ping(value: str) -> str:
    """A round trip through the queue: proves a consumer is running (used by tests and ops)."""
    return f"pong:{value}"
