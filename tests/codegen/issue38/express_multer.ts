// deno-lint-ignore-file -- written as in the interface's source (any, {})
declare global {
  namespace Express {
    namespace Multer {
      interface File {
        originalname: string;
        size: number;
      }
    }
  }
}
export interface FilesService {
  store(file: Express.Multer.File): Promise<string>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "express_multer";
