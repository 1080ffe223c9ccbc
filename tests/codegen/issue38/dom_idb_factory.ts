// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface IDBOpenDBRequestLike {
  readonly readyState: "pending" | "done";
}
export interface IDBDatabaseInfo {
  name?: string;
  version?: number;
}
export interface IDBFactory {
  cmp(first: any, second: any): number;
  databases(): Promise<IDBDatabaseInfo[]>;
  deleteDatabase(name: string): IDBOpenDBRequestLike;
  open(name: string, version?: number): IDBOpenDBRequestLike;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "dom_idb_factory";
