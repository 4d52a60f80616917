/**
 * Let `duct ls | head` end quietly: a reader that closes the pipe early is not an
 * error (ripgrep and others exit 0 on a broken pipe); other stdout errors still surface.
 */
export function ignoreBrokenPipe(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    throw err;
  });
}
