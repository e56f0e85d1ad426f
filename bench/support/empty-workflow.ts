// The baseline's workflow: does nothing and completes. Bundled on its own, run by a bench
// worker on its own task queue, so its starts measure the Temporal server alone.
export async function emptyWorkflow(): Promise<void> {}
