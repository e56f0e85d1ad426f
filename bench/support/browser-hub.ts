// The designer benchmarks' hub and Chromium are the browser tests' own (test/support/e2e.ts
// startBrowserHub: the designer build when stale, a real hub on a temporary SQLite store,
// Chromium), on a Temporal dev server started as the test suite's global setup starts it,
// since a benchmark runs outside vitest. Nothing here starts contracts.
import { installTemporalRuntime } from '../../hub';
import setupTemporal from '../../test/support/temporal.global';
import { startBrowserHub, stopBrowserHub, type BrowserHub } from '../../test/support/e2e';

export async function startBenchBrowserHub(): Promise<BrowserHub & { close(): Promise<void> }> {
  // The hub's runtime first: the dev server's start would otherwise make the SDK's default one.
  installTemporalRuntime();
  const provided: Record<string, string> = {};
  const stopTemporal = await setupTemporal({ provide: (key: string, value: string) => void (provided[key] = value) } as never);
  try {
    const started = await startBrowserHub({ temporalAddress: provided.temporalAddress });
    return {
      ...started,
      async close() {
        try {
          await stopBrowserHub(started);
        } finally {
          await stopTemporal?.();
        }
      },
    };
  } catch (error) {
    await stopTemporal?.();
    throw error;
  }
}
