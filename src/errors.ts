/** Exit codes duct uses for its own failures (the command's status passes through unchanged). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notExecutable: 126,
  notFound: 127,
} as const;

/** Stable error codes: a code is never reused for another meaning. */
export type DuctErrorCode =
  | 'E_USAGE'
  | 'E_OPTION_VALUE'
  | 'E_OUTPUT_EXISTS'
  | 'E_OUTPUT_UNWRITABLE'
  | 'E_COMMAND_NOT_FOUND'
  | 'E_COMMAND_NOT_EXECUTABLE'
  | 'E_MEASUREMENT_UNKNOWN'
  | 'E_MEASUREMENT_UNAVAILABLE'
  | 'E_CGROUP'
  | 'E_INPUT'
  | 'E_INVALID'
  | 'E_FILTER_SYNTAX'
  | 'E_NO_RUNS'
  | 'E_INTERNAL';

const defaultExit: Record<DuctErrorCode, number> = {
  E_USAGE: ExitCode.usage,
  E_OPTION_VALUE: ExitCode.usage,
  E_OUTPUT_EXISTS: ExitCode.failure,
  E_OUTPUT_UNWRITABLE: ExitCode.failure,
  E_COMMAND_NOT_FOUND: ExitCode.notFound,
  E_COMMAND_NOT_EXECUTABLE: ExitCode.notExecutable,
  E_MEASUREMENT_UNKNOWN: ExitCode.usage,
  E_MEASUREMENT_UNAVAILABLE: ExitCode.usage,
  E_CGROUP: ExitCode.failure,
  E_INPUT: ExitCode.failure,
  E_INVALID: ExitCode.failure,
  E_FILTER_SYNTAX: ExitCode.usage,
  E_NO_RUNS: ExitCode.failure,
  E_INTERNAL: ExitCode.failure,
};

/**
 * The one error type duct's own failures use: `message` is a complete one-line
 * sentence naming the input and what would be valid; main() prints it as `duct: <message>`.
 */
export class DuctError extends Error {
  readonly code: DuctErrorCode;
  readonly exitCode: number;
  constructor(code: DuctErrorCode, message: string, exitCode?: number) {
    super(message);
    this.name = 'DuctError';
    this.code = code;
    this.exitCode = exitCode ?? defaultExit[code];
  }
}

export function isDuctError(e: unknown): e is DuctError {
  return e instanceof DuctError;
}
