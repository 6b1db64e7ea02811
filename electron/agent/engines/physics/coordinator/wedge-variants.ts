// Owns turning a wedge spec into a numbered list of overrides, the same list on every machine.
//
//   spec   = term *("," term)
//   term   = param "=" value            one value for every variant
//          | param "=" min ":" max ":" n   grid: n evenly spaced values, both ends included
//          | param "=" min ":" max         random mode only: uniform in [min, max)
//   param  = "gravity" (its y) | "gravity.x" | "gravity.y" | "gravity.z" | "friction" | "restitution"
//          | body "." ("friction" | "restitution" | "mass" | "vx" | "vy" | "vz" | "wx" | "wy" | "wz")
//   body   = a node name without "=", "," or ":" (the last "." splits it), or "#" node index
//
// A grid is the cartesian product of its terms, the first term varying slowest. Random mode
// draws `count` variants from mulberry32(seed), terms in the order written.

import { mulberry32 } from '../../../../../shared/seeded-random.js';
import { BadPhysicsOverrideError, BadWedgeSpecError } from '../physics-errors.js';
import { checkOverrideValue, type BodyOverride, type PhysicsOverrides, type VectorOverride } from '../physics-overrides.js';

export const MAX_WEDGE_VARIANTS = 10_000;

export interface WedgeVariant {
  index: number;
  /** "friction=0.2, restitution=0.5": what this variant changes. */
  label: string;
  overrides: PhysicsOverrides;
}

export interface WedgeRandomOptions {
  count: number;
  /** A whole number from 0 to 2³²-1. */
  seed: number;
}

interface Term {
  param: string;
  min: number;
  max: number;
  /** null: a range for random mode. */
  count: number | null;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const BODY_FIELDS: Record<string, { field: keyof BodyOverride; axis?: keyof VectorOverride }> = {
  friction: { field: 'friction' },
  restitution: { field: 'restitution' },
  mass: { field: 'mass' },
  vx: { field: 'linearVelocity', axis: 'x' },
  vy: { field: 'linearVelocity', axis: 'y' },
  vz: { field: 'linearVelocity', axis: 'z' },
  wx: { field: 'angularVelocity', axis: 'x' },
  wy: { field: 'angularVelocity', axis: 'y' },
  wz: { field: 'angularVelocity', axis: 'z' },
};

/** The variants `spec` describes: a grid, or with `random`, that many draws. Throws BadWedgeSpecError naming the bad part. */
export function wedgeVariants(spec: string, random?: WedgeRandomOptions): WedgeVariant[] {
  const terms = parseTerms(spec, random !== undefined);
  if (random) {
    if (!Number.isInteger(random.count) || random.count < 1 || random.count > MAX_WEDGE_VARIANTS) {
      throw new BadWedgeSpecError(`the number of random variants must be a whole number from 1 to ${MAX_WEDGE_VARIANTS}, not ${random.count}`);
    }
    if (!Number.isInteger(random.seed) || random.seed < 0 || random.seed > 0xffffffff) throw new BadWedgeSpecError(`seed must be a whole number from 0 to 4294967295, not ${random.seed}`);
    const next = mulberry32(random.seed);
    return Array.from({ length: random.count }, (_, index) => variant(index, terms.map((t) => (t.min === t.max ? t.min : t.min + next() * (t.max - t.min)))));
  }
  const total = terms.reduce((n, t) => n * t.count!, 1);
  if (total > MAX_WEDGE_VARIANTS) throw new BadWedgeSpecError(`the grid makes ${total} variants; at most ${MAX_WEDGE_VARIANTS} are allowed: use fewer values, or random mode`);
  return Array.from({ length: total }, (_, index) => {
    let rest = index;
    const picks: number[] = new Array(terms.length);
    for (let t = terms.length - 1; t >= 0; t--) {
      const { min, max, count } = terms[t]!;
      const k = rest % count!;
      rest = Math.floor(rest / count!);
      // 12 significant digits: 0:0.6:4 gives 0.2, not 0.19999999999999998 (what a user typed and reads back).
      picks[t] = count === 1 ? min : k === count! - 1 ? max : Number((min + (k * (max - min)) / (count! - 1)).toPrecision(12));
    }
    return variant(index, picks);
  });

  function variant(index: number, values: number[]): WedgeVariant {
    const overrides: PhysicsOverrides = {};
    values.forEach((v, t) => setParam(overrides, terms[t]!.param, v));
    return { index, label: values.map((v, t) => `${terms[t]!.param}=${v}`).join(', '), overrides };
  }
}

function parseTerms(spec: string, random: boolean): Term[] {
  if (typeof spec !== 'string' || spec.trim() === '') throw new BadWedgeSpecError('the wedge spec is empty; write e.g. friction=0.2:0.8:4,restitution=0:1:3');
  const seen = new Set<string>();
  return spec.split(',').map((raw) => {
    const text = raw.trim();
    const bad = (why: string): never => {
      throw new BadWedgeSpecError(`wedge term "${text}" ${why}`);
    };
    const eq = text.indexOf('=');
    if (eq <= 0) bad('is not name=value');
    const param = text.slice(0, eq).trim();
    if (seen.has(param)) bad(`repeats ${param}`);
    seen.add(param);
    const parts = text.slice(eq + 1).split(':').map((p) => p.trim());
    const nums = parts.map((p) => (NUMBER.test(p) ? Number(p) : bad(`has "${p}", which is not a number`)));
    let term: Term;
    if (nums.length === 1) term = { param, min: nums[0]!, max: nums[0]!, count: 1 };
    else if (nums.length === 2) term = random ? { param, min: nums[0]!, max: nums[1]!, count: null } : bad('is a range without a count; write min:max:count (or use random mode)');
    else if (nums.length === 3) {
      if (random) bad('has a count, but random mode draws values: write min:max');
      const count = nums[2]!;
      if (!Number.isInteger(count) || count < 1) bad(`has count ${count}; it must be a whole number of at least 1`);
      if (count === 1 && nums[0] !== nums[1]) bad('has count 1 but two different ends; write just the value');
      term = { param, min: nums[0]!, max: nums[1]!, count };
    } else term = bad('has too many ":"; write min:max:count');
    if (term.min > term.max) bad(`has min ${term.min} above max ${term.max}`);
    try {
      for (const v of [term.min, term.max]) setParam({}, param, v);
    } catch (err) {
      if (err instanceof BadPhysicsOverrideError) bad(`is out of range: ${err.message}`);
      throw err;
    }
    return term;
  });
}

/** Sets `param` to `value` in `o`, checking both; throws BadWedgeSpecError for an unknown parameter. */
function setParam(o: PhysicsOverrides, param: string, value: number): void {
  if (param === 'friction' || param === 'restitution') {
    checkOverrideValue(param, value, param);
    o[param] = value;
    return;
  }
  const gravity = /^gravity(?:\.([xyz]))?$/.exec(param);
  if (gravity) {
    checkOverrideValue('gravity', value, param);
    o.gravity = { ...o.gravity, [gravity[1] ?? 'y']: value };
    return;
  }
  const dot = param.lastIndexOf('.');
  const target = BODY_FIELDS[param.slice(dot + 1)];
  const body = param.slice(0, dot);
  if (dot <= 0 || !target || /[=,:]/.test(body)) {
    throw new BadWedgeSpecError(`wedge parameter "${param}" is not one of gravity, gravity.x|y|z, friction, restitution or <body>.friction|restitution|mass|vx|vy|vz|wx|wy|wz`);
  }
  const quantity = target.axis ? (target.field === 'linearVelocity' ? 'velocity' : 'angularVelocity') : (target.field as 'friction' | 'restitution' | 'mass');
  checkOverrideValue(quantity, value, param);
  const bodies = (o.bodies ??= {});
  // Own properties only: a body called "__proto__" or "constructor" must not reach Object.prototype (or Object) through `??=`.
  if (!Object.hasOwn(bodies, body)) Object.defineProperty(bodies, body, { value: {}, enumerable: true, writable: true, configurable: true });
  const entry = bodies[body]!;
  if (target.axis) entry[target.field as 'linearVelocity'] = { ...(entry[target.field as 'linearVelocity'] ?? {}), [target.axis]: value };
  else entry[target.field as 'mass'] = value;
}
