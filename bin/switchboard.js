#!/usr/bin/env node
// Entry point of the `switchboard` command. The sources are TypeScript; tsx compiles them on load
// so that `npx switchboard ...` works straight after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
