// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: CredentialsContainer.
export interface Credential {
  readonly id: string;
  readonly type: string;
}
export interface CredentialCreationOptions {
  signal?: AbortSignal;
}
export interface CredentialRequestOptions {
  mediation?: "conditional" | "optional" | "required" | "silent";
  signal?: AbortSignal;
}

/** The Credential Management API's container. */
export interface CredentialsContainer {
  create(options?: CredentialCreationOptions): Promise<Credential | null>;
  get(options?: CredentialRequestOptions): Promise<Credential | null>;
  preventSilentAccess(): Promise<void>;
  store(credential: Credential): Promise<void>;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
