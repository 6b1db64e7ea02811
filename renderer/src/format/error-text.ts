/** An action's failure in the agent's words (TroupeError carries them), for the person to act on. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
