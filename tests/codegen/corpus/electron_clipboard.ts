// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Electron: Clipboard (optional literal-union parameters).
export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Perform copy and paste operations on the system clipboard. */
export interface Clipboard {
  availableFormats(type?: "selection" | "clipboard"): string[];
  clear(type?: "selection" | "clipboard"): void;
  has(format: string, type?: "selection" | "clipboard"): boolean;
  readHTML(type?: "selection" | "clipboard"): string;
  readText(type?: "selection" | "clipboard"): string;
  writeHTML(markup: string, type?: "selection" | "clipboard"): void;
  writeText(text: string, type?: "selection" | "clipboard"): void;
  readBookmark(): { title: string; url: string };
}

export const SOURCE = "electron/electron electron.d.ts (docs/api/clipboard.md)";
