"""Time `kefu seed-bench` and count the CPU it costs, on both sides; prints JSON.

.venv/bin/python bench/seed_bench.py --tickets 100000 [--database-url postgres://…/kefu_x]
    [--fresh] [--batch 20000] [--var /tmp/x]

Runs `kefu seed-bench` as a child process and, on PostgreSQL, samples every 0.2 s the CPU time
(user + system, from /proc) of every server process connected to the database (the writers,
the index builds and their parallel workers, the vacuums), keeping each process's last value.
On a shared machine the wall-clock rate depends on what else runs; the CPU seconds per ticket
do not. ``idle_estimate`` spreads the whole run's CPU over two free cores: an upper bound for
an idle machine of this kind (not every phase keeps both cores busy). ``--fresh`` drops and re-creates the database first (its name must start with
``kefu_``), then migrates.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _clock_ticks()


class ServerCpu(threading.Thread):
    """CPU seconds of the PostgreSQL processes serving one database, sampled."""

    def __init__(self, url: str, database: str):
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
        self.database = database
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            rows = self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
            ).fetchall()
            for (pid,) in rows:
                cpu = _cpu_of(pid)
                if cpu is not None:
                    self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
            time.sleep(0.2)

    def total(self) -> float:
        return sum(self.seen.values())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--var", default="/tmp/kefu-seed-bench-var")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "KEFU_VAR": args.var}
    url = args.database_url
    database = url.rsplit("/", 1)[1] if url else ""
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    if args.fresh:
        if url:
            if not database.startswith("kefu_"):
                sys.exit("--fresh drops the database: its name must start with kefu_")
            import psycopg

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
                conn.execute(f'CREATE DATABASE "{database}"')
        else:
            for name in ("kefu.sqlite3", "kefu.sqlite3-wal", "kefu.sqlite3-shm"):
                Path(args.var, name).unlink(missing_ok=True)
        subprocess.run([PYTHON, "-m", "kefu.cli", "manage", "migrate", "-v0"], env=env, check=True)
    sampler = ServerCpu(url, database) if url else None
    if sampler:
        sampler.start()
    load_before = os.getloadavg()
    started = time.monotonic()
    before = os.times()
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "kefu.cli",
            "seed-bench",
            "--tickets",
            str(args.tickets),
            "--batch",
            str(args.batch),
            "--quiet",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    after = os.times()
    load_after = os.getloadavg()
    report = json.loads(done.stdout.strip().splitlines()[-1])
    python_cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    server_cpu = 0.0
    if sampler:
        sampler.stop.set()
        sampler.join()
        server_cpu = sampler.total()
    cpu = python_cpu + server_cpu
    out = {
        "tickets": args.tickets,
        "database": report["database"],
        "wall_seconds": round(wall, 1),
        "tickets_per_second": round(args.tickets / wall),
        "seed_bench": report,
        "cpu_seconds": {"python": round(python_cpu, 1), "server": round(server_cpu, 1)},
        "cpu_us_per_ticket": round(cpu / args.tickets * 1e6, 1),
        # PostgreSQL only: SQLite's writer is one thread, whatever the cores.
        "idle_estimate_tickets_per_second": round(args.tickets / (cpu / 2)) if url else None,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
