"""The pacer spaces calls under Slack's ceilings and holds everyone after a 429."""

from __future__ import annotations

from bot.pacing import SAFETY, Pacer


class FakeTime:
    """A clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_posts_stay_under_the_workspace_ceiling_in_any_minute() -> None:
    time = FakeTime()
    pacer = Pacer(posts_per_minute=300, clock=time.clock, sleep=time.sleep)
    stamps = []
    for i in range(900):
        await pacer.acquire("chat.postMessage", f"D{i}")
        stamps.append(time.now)
    worst = max(sum(1 for t in stamps if start <= t < start + 60) for start in stamps)
    assert worst <= 300
    assert worst >= int(300 * SAFETY) - 1  # and close to it: the ceiling is the throughput


async def test_one_channel_gets_one_post_per_second() -> None:
    time = FakeTime()
    pacer = Pacer(posts_per_minute=6000, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        await pacer.acquire("chat.postMessage", "D1")
    assert time.now >= 4 / SAFETY - 0.01


async def test_a_429_holds_every_caller_of_that_method() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    await pacer.acquire("users.list")
    pacer.penalize("users.list", 30)
    await pacer.acquire("users.list")
    assert time.now >= 30
    before = time.now
    await pacer.acquire("views.publish")  # other methods are not held
    assert time.now == before
