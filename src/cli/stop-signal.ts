/**
 * The signal that stops a long-running command (Ctrl-C or SIGTERM), listened for from now on. Take
 * it before saying the command is ready: until a listener exists, a SIGTERM kills the process
 * outright (the default action), without its clean stop, and whoever waits for "ready" may send one
 * at once.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
