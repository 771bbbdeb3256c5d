#!/usr/bin/env node
/**
 * `parley-gateway`: runs a gateway (no subcommand, or `run`), or sets up and
 * checks a deployment (`init`, `shop`, `agent`, `bot`, `doctor`). Each
 * subcommand lives in `cli/`; this file only picks one.
 */
import { type Command, ExitCodes, runCommand } from "./cli/args.js";
import { doctorCommand } from "./cli/doctor.js";
import { initCommand } from "./cli/init.js";
import { runCommand as runGatewayCommand } from "./cli/run.js";
import { shopCommand } from "./cli/shop.js";
import { agentCommand, botCommand } from "./cli/team.js";

const commands: Record<string, Command> = {
  run: runGatewayCommand,
  init: initCommand,
  shop: shopCommand,
  agent: agentCommand,
  bot: botCommand,
  doctor: doctorCommand,
};

const usage = `Usage: parley-gateway [command] [options]

Commands:
  run                  run the gateway (the default: \`parley-gateway\` alone runs it)
  init                 write the NATS trust chain, nats-server config and gateway environment
  shop add|list        register a shop, list shops and their teams (admin API)
  agent add|remove     add or remove a shop's agent login (admin API)
  bot add              add a shop's bot login (admin API)
  doctor               check a running deployment and say what to fix

\`parley-gateway <command> --help\` shows a command's options. Exit codes: 0 ok,
1 failed, 2 bad usage or configuration, 3 would overwrite (see docs/running.md).
`;

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === "help" || first === "--help" || first === "-h") {
    process.stdout.write(usage);
    return;
  }
  // No subcommand, or only options: run the gateway, as `parley-gateway` always did.
  if (first === undefined || first.startsWith("-") || first === "run") {
    const code = await runCommand("run", runGatewayCommand, first === "run" ? rest : argv);
    if (code !== ExitCodes.ok) process.exit(code);
    return;
  }
  const command = commands[first];
  if (!command) {
    process.stderr.write(`parley-gateway: unknown command "${first}"\n\n${usage}`);
    process.exit(ExitCodes.usage);
  }
  // A finished command exits at once: no keep-alive socket or timer of a client keeps it waiting.
  process.exit(await runCommand(first, command, rest));
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(ExitCodes.failed);
});
