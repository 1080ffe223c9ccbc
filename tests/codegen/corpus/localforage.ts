// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// localForage: LocalForageDbMethodsCore (generic methods, node-style
// callbacks).
export interface LocalForageDbMethodsCore {
  getItem<T>(
    key: string,
    callback?: (err: any, value: T | null) => void,
  ): Promise<T | null>;
  setItem<T>(
    key: string,
    value: T,
    callback?: (err: any, value: T) => void,
  ): Promise<T>;
  removeItem(key: string, callback?: (err: any) => void): Promise<void>;
  clear(callback?: (err: any) => void): Promise<void>;
  length(callback?: (err: any, numberOfKeys: number) => void): Promise<number>;
  key(
    keyIndex: number,
    callback?: (err: any, key: string) => void,
  ): Promise<string>;
  keys(callback?: (err: any, keys: string[]) => void): Promise<string[]>;
  iterate<T, U>(
    iteratee: (value: T, key: string, iterationNumber: number) => U,
    callback?: (err: any, result: U) => void,
  ): Promise<U>;
}

export const SOURCE = "localForage/localForage typings/localforage.d.ts";
