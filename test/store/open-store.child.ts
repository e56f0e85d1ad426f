// Run as its own process by migrations.test.ts: opens the store (migrating it) and adds
// one user, as the server or the worker would at start-up.
import { openStore } from '../../store';

const [options, name] = process.argv.slice(2);
const store = await openStore(JSON.parse(options));
await store.users.create({ name, roles: [] });
await store.close();
