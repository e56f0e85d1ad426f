// Entry of an expression worker process. It does not inherit the loader the app runs under
// in every setting (vitest, `npm start` under tsx, the CLI), so this plain module registers
// tsx itself and then loads the TypeScript worker body (as verify-worker.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./expression-worker.ts');
