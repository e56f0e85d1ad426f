// How an entry point's process lives: it runs until SIGTERM or SIGINT (compose, systemd, Ctrl-C),
// then stops everything once — a worker finishing its running activities first — and exits 0.
// If the worker fails on its own, the process stops the rest and exits 1, so a supervisor restarts it.

export interface RunningProcess {
  /** Stops everything this process opened. */
  stop(): Promise<void>;
  /** Rejects when a part fails by itself (the worker's run()). */
  failure?: Promise<unknown>;
  log(message: string): void;
}

/** Resolves with the exit code once the process has stopped; a second signal while stopping changes nothing. */
export function runUntilSignalled({ stop, failure, log }: RunningProcess): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const end = (code: number) => {
      stop().then(
        () => {
          log('stopped');
          resolve(code);
        },
        (error) => {
          log(`while stopping: ${(error as Error).message}`);
          resolve(1);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping…`);
      end(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    failure?.catch((error) => {
      if (stopping) return;
      stopping = true;
      log(`the worker stopped: ${(error as Error).message}`);
      end(1);
    });
  });
}
