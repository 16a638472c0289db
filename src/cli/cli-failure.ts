// A runtime failure the CLI reports as one line and exit code 1.

export class CliFailure extends Error {
  override readonly name = "CliFailure";
}
