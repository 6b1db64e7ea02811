// Owns command-line parsing: positionals, --flag value, --flag=value and boolean switches.

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  /** Every value of a flag given more than once (`--allow-file a --allow-file b`), in order. */
  repeated: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(['json', 'no-wait', 'new-identity', 'help', 'exr', 'yes', 'as-future-build', 'ui', 'browser', 'then-render', 'allow-missing', 'any-blender', 'no-denoise', 'whole', 'regions', 'list-files']);

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const repeated = new Map<string, string[]>();
  const set = (key: string, value: string | true): void => {
    flags.set(key, value);
    if (value !== true) repeated.set(key, [...(repeated.get(key) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) set(key, inline);
    else if (BOOLEAN_FLAGS.has(key) || i + 1 >= argv.length) set(key, true);
    else set(key, argv[++i]!);
  }
  return { positionals, flags, repeated };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

export function flagInt(args: ParsedArgs, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not "${v}"`);
  return n;
}
