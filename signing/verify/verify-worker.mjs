// Entry of a verification worker thread. Workers do not inherit the loader the app runs
// under in every setting (vitest, `npm start` under tsx, the CLI), so this plain module
// registers tsx itself and then loads the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
