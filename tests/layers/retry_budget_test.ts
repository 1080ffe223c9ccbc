import assert from "node:assert/strict";
import { RetryBudget } from "../../layers/retry_budget.ts";
import { assertInvalidOption, withClock, wrong } from "./_helpers.ts";

Deno.test("RetryBudget", async (t) => {
  await t.step(
    "defaults: 20% of requests plus 10 a second over 10 s",
    async () => {
      await withClock(() => {
        const budget = new RetryBudget();
        assert.deepEqual(
          [budget.ratio, budget.minPerSecond, budget.window],
          [0.2, 10, 10_000],
        );
        assert.equal(budget.balance, 100);
        for (let i = 0; i < 50; i++) budget.deposit();
        assert.equal(budget.balance, 110);
      });
    },
  );

  await t.step("withdraws while the balance covers one retry", async () => {
    await withClock(() => {
      const budget = new RetryBudget({ ratio: 0.25, minPerSecond: 0 });
      for (let i = 0; i < 8; i++) budget.deposit();
      assert.equal(budget.withdraw(), true);
      assert.equal(budget.withdraw(), true);
      assert.equal(budget.withdraw(), false);
      assert.deepEqual([budget.requests, budget.retries], [8, 2]);
      budget.deposit();
      budget.deposit();
      budget.deposit();
      assert.equal(budget.balance, 0.75);
      assert.equal(budget.withdraw(), false);
      budget.deposit();
      assert.equal(budget.withdraw(), true);
    });
  });

  await t.step("the reserve allows retries without traffic", async () => {
    await withClock(() => {
      const budget = new RetryBudget({
        ratio: 0,
        minPerSecond: 1,
        window: 3000,
      });
      assert.equal(budget.withdraw(), true);
      assert.equal(budget.withdraw(), true);
      assert.equal(budget.withdraw(), true);
      assert.equal(budget.withdraw(), false);
    });
  });

  await t.step(
    "old requests and retries leave the window slot by slot",
    async () => {
      await withClock(async (clock) => {
        const budget = new RetryBudget({
          ratio: 1,
          minPerSecond: 0,
          window: 1000,
        });
        budget.deposit();
        budget.deposit();
        await clock.tickAsync(500);
        budget.deposit();
        assert.equal(budget.withdraw(), true);
        assert.deepEqual([budget.requests, budget.retries], [3, 1]);
        await clock.tickAsync(500); // the first two requests expire
        assert.deepEqual([budget.requests, budget.retries], [1, 1]);
        assert.equal(budget.withdraw(), false);
        await clock.tickAsync(500); // everything expires
        assert.deepEqual([budget.requests, budget.retries], [0, 0]);
        await clock.tickAsync(60_000); // a long gap clears every slot once
        budget.deposit();
        assert.equal(budget.requests, 1);
      });
    },
  );

  await t.step("rejects invalid options", () => {
    for (const ratio of [-1, NaN, Infinity]) {
      assertInvalidOption(
        () => new RetryBudget({ ratio }),
        "retry.budget.ratio",
        ratio,
      );
    }
    assertInvalidOption(
      () => new RetryBudget({ minPerSecond: -1 }),
      "retry.budget.minPerSecond",
      -1,
    );
    for (const window of [0, -5, NaN]) {
      assertInvalidOption(
        () => new RetryBudget({ window }),
        "retry.budget.window",
        window,
      );
    }
    assertInvalidOption(
      () => new RetryBudget({ ratio: wrong("0.2") }),
      "retry.budget.ratio",
      "0.2",
    );
    assertInvalidOption(
      () => new RetryBudget(wrong("many")),
      "retry.budget",
      "many",
    );
  });
});
