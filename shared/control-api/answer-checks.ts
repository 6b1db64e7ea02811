// Owns checking what the agent answers against the control API's schemas: each route's answer
// (routes.ts) and each event (responses.ts). Given to the typed client by those that check (the
// app, the desktop shell); the CLI does not load it, nor zod.

import { TroupeError } from '../errors.js';
import type { AnswerChecks } from './control-client.js';
import { controlEventSchema } from './responses.js';
import { BYTE_ROUTES, CONTROL_ROUTES } from './routes.js';

export const schemaChecks: AnswerChecks = {
  answer(name, value) {
    const schema = name === 'upload' ? BYTE_ROUTES.upload.answer : CONTROL_ROUTES[name].answer;
    const checked = schema.safeParse(value);
    if (checked.success) return;
    const issue = checked.error.issues[0];
    throw new TroupeError(
      'internal',
      `The agent's answer to ${name} is not what this version expects (${issue?.path.join('.') || 'answer'}: ${issue?.message}). Are both of the same Troupe version?`,
    );
  },
  event: (raw) => controlEventSchema.safeParse(raw).success,
};
