#!/usr/bin/env node
// `npx sealflow <command>`: the command-line door. The commands are TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/cli.ts');
process.exitCode = await main(process.argv.slice(2));
