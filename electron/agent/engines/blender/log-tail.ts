// Owns keeping what Blender prints, line by line, bounded: the last lines are what explains a
// failed task, and a verbose render must not grow the agent's memory.

/** The default number of lines kept: enough for a Python traceback and the render's last status lines. */
export const DEFAULT_LOG_LINES = 200;
/** A line longer than this is cut: one pathological print must not hold megabytes. */
const MAX_LINE_CHARS = 2000;

export class LogTail {
  private readonly lines: string[] = [];
  private partial = '';
  /** Lines seen since the start, so a task can ask for the lines since it began. */
  private total = 0;

  constructor(private readonly capacity = DEFAULT_LOG_LINES) {}

  /** Takes a chunk of output; complete lines are kept, a trailing partial line waits for its end. */
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_LINE_CHARS) {
      this.add(this.partial);
      this.partial = '';
    }
    for (const line of parts) this.add(line);
  }

  /** Ends a trailing partial line (the process exited). */
  flush(): void {
    if (this.partial) this.add(this.partial);
    this.partial = '';
  }

  /** A mark for `since`: the count of lines seen so far. */
  mark(): number {
    return this.total;
  }

  /** The kept lines seen after `mark` (older ones may have been dropped), oldest first. */
  since(mark: number): string[] {
    const available = Math.min(this.total - mark, this.lines.length);
    return available > 0 ? this.lines.slice(this.lines.length - available) : [];
  }

  last(count = this.capacity): string[] {
    return this.lines.slice(-count);
  }

  private add(line: string): void {
    this.lines.push(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) + ' …' : line);
    if (this.lines.length > this.capacity) this.lines.shift();
    this.total++;
  }
}
