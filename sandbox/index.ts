// Running untrusted work in workers the server can kill: the pool (server side) and the job loop (worker side).
export { createSandbox, isBusy, SandboxError, type Sandbox, type SandboxLimits, type SandboxOptions, type SandboxRefusal, type WorkerKind } from './pool';
