// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: Permissions (a single promise method over dictionary types).
export interface PermissionDescriptor {
  name: "geolocation" | "notifications" | "persistent-storage" | "push";
}
export interface PermissionStatus {
  readonly name: string;
  readonly state: "granted" | "denied" | "prompt";
}

/** The Permissions API. */
export interface Permissions {
  query(permissionDesc: PermissionDescriptor): Promise<PermissionStatus>;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
