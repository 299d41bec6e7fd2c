import { z } from 'zod';

/** The most a saved or opened file may hold through the contract (a plan export of 100,000 entries fits). */
export const FILE_CONTENT_LIMIT = 64 * 1024 * 1024;

/** A kind of file the dialog offers: "CSV file" with its extensions (no dot; `*`: any file). */
export const fileFilter = z
  .object({
    name: z.string().min(1).max(100),
    extensions: z
      .array(
        z
          .string()
          .regex(/^(\*|[A-Za-z0-9]{1,10})$/, 'An extension is 1-10 letters or digits without the dot, or *'),
      )
      .min(1)
      .max(10),
  })
  .strict();
export type FileFilter = z.infer<typeof fileFilter>;

/** A file name the save dialog proposes: a name, never a path. */
const suggestedName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[/\\\0]/.test(n) && n !== '.' && n !== '..', 'A file name, not a path');

/**
 * `files.*`: saving content to a file the user chooses, and opening a file the user chooses. The
 * desktop shell shows its native dialogs and reads or writes the file in the main process; the browser
 * shell answers `renderer`: the page offers a download, or a file input, itself (a browser cannot be
 * handed a path on this computer).
 */
export const fileMethods = {
  'files.save': {
    input: z
      .object({
        suggestedName,
        content: z.string().max(FILE_CONTENT_LIMIT),
        filters: z.array(fileFilter).min(1).max(5),
        title: z.string().max(200).optional(),
      })
      .strict(),
    output: z.discriminatedUnion('outcome', [
      z.object({ outcome: z.literal('saved'), path: z.string(), bytes: z.number().int() }),
      z.object({ outcome: z.literal('cancelled') }),
      z.object({ outcome: z.literal('renderer') }),
    ]),
  },
  'files.open': {
    input: z
      .object({
        filters: z.array(fileFilter).min(1).max(5),
        title: z.string().max(200).optional(),
        /** `content`: the file's text is read and sent; `path`: only where it is (a key file). */
        want: z.enum(['content', 'path']).default('content'),
        maxBytes: z
          .number()
          .int()
          .min(1)
          .max(FILE_CONTENT_LIMIT)
          .default(16 * 1024 * 1024),
      })
      .strict(),
    output: z.discriminatedUnion('outcome', [
      z.object({
        outcome: z.literal('chosen'),
        path: z.string(),
        name: z.string(),
        content: z.string().optional(),
      }),
      z.object({ outcome: z.literal('cancelled') }),
      z.object({ outcome: z.literal('renderer') }),
    ]),
  },
} as const;
