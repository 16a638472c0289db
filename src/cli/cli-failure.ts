// The two ways a command fails: at run time (one line, exit code 1) or
// because of what it was asked (one line, exit code 2).

/** A runtime failure: the CLI prints the message and exits 1. */
export class CliFailure extends Error {
  override readonly name = "CliFailure";
}

/** A usage error (a bad flag value, a flag that does not fit): the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
