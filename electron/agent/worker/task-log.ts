// Owns the last lines an engine printed during one task: kept so a failed task's error can say
// what the engine said last (a crash, a missing texture), and bounded so a chatty engine cannot
// grow the agent or the task.failed message past its 4000 characters.

const MAX_LINES = 40;
const MAX_CHARS = 2000;
/** task.failed carries at most this much: the error's own words are cut before the log's last lines are. */
const MAX_ERROR_CHARS = 4000;
const HEADING = "\nLast lines of the engine's output:\n";

export class TaskLog {
  private readonly lines: string[] = [];
  private chars = 0;

  add(line: string): void {
    const trimmed = line.slice(0, MAX_CHARS);
    this.lines.push(trimmed);
    this.chars += trimmed.length + 1;
    while (this.lines.length > MAX_LINES || this.chars > MAX_CHARS) this.chars -= this.lines.shift()!.length + 1;
  }

  /** The kept lines, oldest first; empty if the engine said nothing. */
  tail(): string {
    return this.lines.join('\n');
  }

  /** `err` with the kept lines after its message, so the coordinator's user sees them; unchanged if there are none. */
  attachTo(err: unknown): unknown {
    const tail = this.tail();
    if (tail === '' || !(err instanceof Error)) return err;
    const room = MAX_ERROR_CHARS - HEADING.length - tail.length;
    err.message = `${err.message.length > room ? `${err.message.slice(0, room - 1)}…` : err.message}${HEADING}${tail}`;
    return err;
  }
}
