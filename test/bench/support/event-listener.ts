// What the desktop app does while a job runs, without a window: it holds the agent's event stream
// and takes every event (bench:events runs it inside the agent's network namespace).
//   node dist/test/bench/support/event-listener.js DATA_DIR
// Prints the number of events it took, once a line, until it is killed.

import { ControlClient } from '../../../electron/cli/control-client.js';

const client = await ControlClient.open(process.argv[2]!);
let events = 0;
client.subscribe(() => void events++);
setInterval(() => console.log(events), 1000);
