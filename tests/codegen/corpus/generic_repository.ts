// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// A generic repository, the way applications write them (no default for
// the entity type).
export interface IRepository<T> {
  findAll(): Promise<T[]>;
  findById(id: string): Promise<T | null>;
  create(item: Omit<T, "id">): Promise<T>;
  update(id: string, item: Partial<T>): Promise<T | null>;
  delete(id: string): Promise<boolean>;
}

export const SOURCE =
  "code search corpus: generic IRepository<T> of an application";
