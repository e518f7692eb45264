/**
 * One base class for errors caused by what a user gave (a file, a flag, a table, a request body).
 * Everything that shows errors to people — the CLI (exit code 2, one line) and the HTTP service
 * (a 4xx problem document) — asks `instanceof PuhuiUserError`, never a hand-kept list of classes.
 * Anything else that escapes is a defect in Puhui and is reported as an internal error.
 */
export class PuhuiUserError extends Error {
  /** A stable, machine-readable code (e.g. `usage`, `dataset`, `model_file`); the HTTP service sends it. */
  readonly code: string;

  constructor(message: string, code = 'user_error') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The process exit code for a user error: bad input, refused before or instead of any work. */
export const USER_ERROR_EXIT_CODE = 2;
