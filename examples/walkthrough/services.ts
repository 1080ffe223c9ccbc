/** Accounts and their balances. */
export interface Bank {
  /** Adds `amount` to `account` and returns the new balance. */
  deposit(account: string, amount: number): number;
  /** The balance of `account`. */
  balance(account: string): number;
  /** Every balance, slowly: long enough to give up on. */
  statement(): string;
}

/** An append-only log of what happened. */
export interface Audit {
  /** Appends an entry and returns how many there are. */
  record(entry: string): number;
  /** Every entry so far, oldest first. */
  entries(): string[];
}
