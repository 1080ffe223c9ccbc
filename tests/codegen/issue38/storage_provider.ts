// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface StorageProvider {
  upload(
    key: string,
    body: Uint8Array | ReadableStream,
    contentType?: string,
  ): Promise<string>;
  download(key: string): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
  getSignedUrl(key: string, expiresIn?: number): Promise<string>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "storage_provider";
