// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Entity {
  id: string;
}
export interface Repository<T extends Entity = Entity, ID = string> {
  findAll(): Promise<T[]>;
  findById(id: ID): Promise<T | undefined>;
  save(entity: T): Promise<T>;
  deleteById(id: ID): Promise<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "repository_with_defaults";
