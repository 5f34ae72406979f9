/**
 * The `switchboard` command: dispatches to one subcommand. Every subcommand returns its exit
 * code; a bad command line gets one line naming the problem and exit code 2.
 */
import { type CommandIO, processIO } from './io.js';
import { parseCommand } from './parse-command.js';
import { phoneCommand } from './phone-command.js';
import { proxyCommand, registrarCommand, serverCommand } from './server-command.js';
import { uasCommand } from './uas-command.js';
import { userCommand } from './user-command.js';

type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  parse: { run: parseCommand, help: 'parse [FILE|-] [--json]   show a SIP message as the stack sees it' },
  phone: {
    run: phoneCommand,
    help: 'phone --user NAME [--port N] [--proxy URI] [--json] [--config FILE]   a scriptable SIP phone (commands on stdin)',
  },
  proxy: {
    run: proxyCommand,
    help: 'proxy [--config FILE] [--listen udp:HOST:PORT] [--domain D]   stateful SIP proxy',
  },
  registrar: {
    run: registrarCommand,
    help: 'registrar [--config FILE] [--listen ...] [--data DIR | --db URL]   registrar',
  },
  server: {
    run: serverCommand,
    help: 'server [--config FILE] [--listen ...] [--auth on|off]   proxy + registrar on one port (npm start)',
  },
  uas: {
    run: uasCommand,
    help: 'uas --listen udp:127.0.0.1:5080 [--ring-ms N] [--answer-ms N]   answer every call (SIPp, load tests)',
  },
  user: { run: userCommand, help: 'user add|list|remove|passwd|enable|disable   manage accounts (HA1s only)' },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  switchboard ${c.help}`);
  return ['usage: switchboard <command> [options]', '', 'commands:', ...lines].join('\n');
}

export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`switchboard: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  return command.run(rest, io);
}
