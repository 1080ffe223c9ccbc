// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// VS Code API: EnvironmentVariableCollection (properties, a callback
// parameter, a `[Symbol.iterator]` member).
export interface EnvironmentVariableMutator {
  readonly type: 1 | 2 | 3;
  readonly value: string;
}

/** A collection of mutations that an extension can apply to a process environment. */
export interface EnvironmentVariableCollection {
  /** Whether the collection should be cached for the workspace. */
  persistent: boolean;
  /** A description for the environment variable collection. */
  description: string | undefined;
  /** Replace an environment variable with a value. */
  replace(variable: string, value: string): void;
  /** Append a value to an environment variable. */
  append(variable: string, value: string): void;
  /** Prepend a value to an environment variable. */
  prepend(variable: string, value: string): void;
  /** Gets the mutator that this collection applies to a variable, if any. */
  get(variable: string): EnvironmentVariableMutator | undefined;
  /** Iterate over each mutator in this collection. */
  forEach(
    callback: (
      variable: string,
      mutator: EnvironmentVariableMutator,
      collection: EnvironmentVariableCollection,
    ) => any,
    thisArg?: any,
  ): void;
  /** Deletes the extension's mutator for a variable. */
  delete(variable: string): void;
  /** Clears all mutators from this collection. */
  clear(): void;
  [Symbol.iterator](): Iterator<[string, EnvironmentVariableMutator]>;
}

export const SOURCE = "microsoft/vscode src/vscode-dts/vscode.d.ts";
