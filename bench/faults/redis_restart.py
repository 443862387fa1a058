"""Fault: Redis restarts while tasks wait in the queue (no worker running).

    .venv/bin/python bench/faults/redis_restart.py [--tasks 50]

Runs its own redis-server on 127.0.0.1:6391 with append-only persistence (AOF) in a
temporary folder; the shared Redis on 6379 is never touched. Steps:

1. Control: the same Redis without AOF (as a cache is often run). Queue a few tasks,
   restart: they are gone. This is why production Redis needs AOF (README, deploy notes).
2. With AOF: stop the worker, queue N notification e-mails (units.send_notification_emails,
   one task per notification, as the app queues them), restart Redis gracefully
   (SHUTDOWN), then kill it with SIGKILL and start it again.
3. Start the worker: every one of the N tasks runs, exactly once (each notification gets
   its e-mail time stamp; the worker's console mail backend prints N mails).
"""

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time

from common import Verdict, fresh_stack, log

PORT = 6391


class OwnRedis:
    def __init__(self, *, aof: bool) -> None:
        self.dir = tempfile.mkdtemp(prefix="govinfo-fault-redis-")
        self.aof = aof
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--dir", self.dir, "--save", "",
               "--appendonly", "yes" if self.aof else "no", "--appendfsync", "everysec",
               "--logfile", os.path.join(self.dir, "redis.log")]  # fmt: skip
        self.proc = subprocess.Popen(cmd, start_new_session=True)
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("own redis-server did not start")

    def cli(self, *args: str) -> str:
        out = subprocess.run(["redis-cli", "-p", str(PORT), *args], capture_output=True, text=True)
        return out.stdout.strip()

    def shutdown(self) -> None:
        self.cli("SHUTDOWN")  # graceful: AOF flushed
        self.proc.wait(timeout=20)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.shutdown()
        shutil.rmtree(self.dir, ignore_errors=True)

    def queued(self) -> int:
        return int(self.cli("-n", "0", "LLEN", "celery") or 0)


def queue_emails(n: int) -> list[int]:
    """N notifications to people with an address, and one e-mail task each."""
    from units.models import Notification, User
    from units.tasks import send_notification_emails

    user = User.objects.get(username="prov_editor")
    user.email = "prov_editor@example.gov.cn"
    user.save(update_fields=["email"])
    ids = []
    for i in range(n):
        note = Notification.objects.create(recipient=user, verb="fault", title=f"Redis 重启测试通知 {i + 1}")
        send_notification_emails.delay([note.pk])
        ids.append(note.pk)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=50)
    args = parser.parse_args()
    verdict = Verdict("restart Redis while tasks are queued")
    # 1. Control: no AOF. (It also takes what the demo loader queues while setting up.)
    plain = OwnRedis(aof=False)
    plain.start()
    stack = fresh_stack("redis", port=8742, redis=f"redis://127.0.0.1:{PORT}", redis_db=0)
    stack.setup_django()
    from units.models import Notification

    try:
        plain.cli("FLUSHALL")
        queue_emails(5)
        before = plain.queued()
        plain.shutdown()
        plain.start()
        after = plain.queued()
        log(f"control, Redis without AOF: {before} tasks queued, {after} left after a restart")
        verdict.check(before == 5 and after == 0, "without AOF a restart loses the queue (why production needs AOF)")
    finally:
        plain.stop()
    Notification.objects.all().delete()

    # 2. With AOF.
    redis = OwnRedis(aof=True)
    redis.start()
    try:
        ids = queue_emails(args.tasks)
        log(f"worker stopped; queued {len(ids)} e-mail tasks; in the queue: {redis.queued()}")
        verdict.check(redis.queued() == args.tasks, f"{args.tasks} tasks wait in Redis")
        redis.shutdown()
        log("Redis stopped (SHUTDOWN)")
        redis.start()
        log(f"Redis started again: {redis.queued()} tasks in the queue")
        verdict.check(redis.queued() == args.tasks, "all tasks still queued after a graceful restart")
        time.sleep(1.5)  # appendfsync everysec: a second for the last writes to reach the disk
        redis.kill()
        log("Redis killed (SIGKILL)")
        redis.start()
        log(f"Redis started again: {redis.queued()} tasks in the queue")
        verdict.check(redis.queued() == args.tasks, "all tasks still queued after Redis was killed")

        # 3. The worker comes back.
        stack.start_worker(concurrency=1)
        stack.wait_worker()
        log("worker started")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not Notification.objects.filter(pk__in=ids, emailed_at=None).exists() and redis.queued() == 0:
                break
            time.sleep(0.5)
        time.sleep(2)  # let a duplicate, if any, run too
        sent = Notification.objects.filter(pk__in=ids).exclude(emailed_at=None).count()
        mails = (stack.var_dir / "logs" / "worker.log").read_text(errors="replace").count("Subject: ")
        log(f"after the worker ran: {sent} of {len(ids)} notifications e-mailed; the worker printed {mails} mails; "
            f"queue now {redis.queued()}")  # fmt: skip
        verdict.check(sent == args.tasks, f"every queued task ran ({sent}/{args.tasks})")
        verdict.check(mails == args.tasks, f"each exactly once ({mails} mails for {args.tasks} tasks)")
        verdict.check(redis.queued() == 0, "the queue is empty")

        # 4. Redis restarts under a running worker: it reconnects and takes new tasks.
        redis.shutdown()
        time.sleep(3)
        redis.start()
        more = queue_emails(10)
        log("Redis restarted under the running worker; queued 10 more tasks")
        deadline = time.monotonic() + 90
        while Notification.objects.filter(pk__in=more, emailed_at=None).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        done = Notification.objects.filter(pk__in=more).exclude(emailed_at=None).count()
        log(f"{done} of 10 ran after the worker reconnected")
        verdict.check(done == 10, "the running worker reconnected to Redis and ran new tasks")
    finally:
        stack.stop_all()
        redis.stop()
    verdict.finish()


if __name__ == "__main__":
    main()
