import type { CallOptions } from "@norpc/norpc";
import { concurrencyLimit, timeout } from "@norpc/norpc/layers";
import {
  type AuditClient,
  type AuditHandler,
  type BankHandler,
  spawnAudit,
  spawnBank,
} from "./services.gen.ts";

/** The audit log. It runs as an actor (one call at a time): no locks. */
class AuditLog implements AuditHandler {
  #entries: string[] = [];
  record(entry: string): number {
    return this.#entries.push(entry);
  }
  entries(): string[] {
    return [...this.#entries];
  }
}

/** The bank. It calls the audit service, through its client, on each deposit. */
class Accounts implements BankHandler {
  #balances = new Map<string, number>();
  #audit: AuditClient;
  stopped = 0;
  constructor(audit: AuditClient) {
    this.#audit = audit;
  }
  async deposit(account: string, amount: number, options: CallOptions) {
    const balance = this.balance(account) + amount;
    this.#balances.set(account, balance);
    // Passing `options` on: if our caller gives up, so does this call.
    await this.#audit.record(`${account} +${amount}`, options);
    return balance;
  }
  balance(account: string): number {
    return this.#balances.get(account) ?? 0;
  }
  async statement(options: CallOptions): Promise<string> {
    try {
      await sleep(1000, options.signal); // slow work that watches the signal
    } catch (err) {
      this.stopped++; // the caller gave up: stop working for nobody
      throw err;
    }
    return [...this.#balances].map(([a, b]) => `${a}: ${b}`).join(", ");
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

// 1. Spawn both services, each with its own channel, concurrency and layers.
await using audit = spawnAudit(new AuditLog(), {
  concurrency: 1, // an actor
  clientLayers: [timeout(100)], // the bank waits 100 ms at most per entry
});
const accounts = new Accounts(audit.client);
await using bank = spawnBank(accounts, {
  serverLayers: [concurrencyLimit(8)], // at most 8 bank calls at once
  clientLayers: [timeout(2000)],
});

// 2. Call: the bank calls the audit service inside each deposit.
console.log("deposit:", await bank.client.deposit("ada", 100));
console.log("deposit:", await bank.client.deposit("ada", 20));
console.log("balance:", await bank.client.balance("ada"));

// 3. Abort: the caller's promise rejects at once, the handler's signal fires.
const controller = new AbortController();
setTimeout(() => controller.abort(new Error("took too long")), 50);
try {
  await bank.client.statement({ signal: controller.signal });
} catch (err) {
  console.log("statement:", (err as Error).message);
}

// 4. Graceful close: calls already sent finish, later ones are refused.
const sent = [bank.client.deposit("bob", 5), bank.client.deposit("bob", 7)];
const closed = bank.server.close();
console.log("bob:", (await Promise.all(sent)).join(" then "));
await closed;
try {
  await bank.client.balance("bob");
} catch (err) {
  console.log("after close:", (err as Error).name);
}
console.log("audit:", (await audit.client.entries()).join(", "));
console.log("statements stopped early:", accounts.stopped);
// Leaving the module closes `audit` too (`await using`).
