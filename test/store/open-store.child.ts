// Run as its own process by migrations.test.ts, playing the server or the worker at
// start-up: says "ready" once loaded, and on "go" (sent to all processes at once) opens
// the store, which migrates it, and adds one user.
import { once } from 'node:events';
import { openStore } from '../../store';

const [options, name] = process.argv.slice(2);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const store = await openStore(JSON.parse(options));
await store.users.create({ name, roles: [] });
await store.close();
process.exit(0);
