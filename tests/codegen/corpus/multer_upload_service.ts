// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// An upload service over multer's global `Express.Multer.File` (the
// @types/multer augmentation, reduced to what the service uses).
declare global {
  namespace Express {
    namespace Multer {
      interface File {
        fieldname: string;
        originalname: string;
        mimetype: string;
        size: number;
      }
    }
  }
}

export interface UploadService {
  uploadFile(file: Express.Multer.File): Promise<string>;
  uploadFiles(files: Express.Multer.File[]): Promise<string[]>;
}

export const SOURCE =
  "DefinitelyTyped/DefinitelyTyped types/multer/index.d.ts (Express.Multer.File)";
