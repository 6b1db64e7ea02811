import { useEffect, useRef, useState } from 'react';
import type { Pairing } from '../../../shared/control-api/responses.js';
import { errorText } from '../format/error-text.js';
import { useTroupe } from '../store/index.js';

const ENDED_WORDS = {
  rejected: 'was rejected on the other machine.',
  failed: 'failed.',
  expired: 'expired before it was approved.',
} as const;

/** A pairing this machine started: the code to compare, then the outcome. */
export function PairingPanel({ pairing }: { pairing: Pairing }) {
  const confirmPairing = useTroupe((s) => s.confirmPairing);
  const declinePairing = useTroupe((s) => s.declinePairing);
  const dismissPairing = useTroupe((s) => s.dismissPairing);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const act = async (action: () => Promise<void>) => {
    setPending(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPending(false);
    }
  };

  // The button that started the pairing is disabled now, which drops keyboard focus: bring it
  // (and the eyes) to the code. Not onto "Codes match", so a second Enter cannot confirm unseen.
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' });
    if (document.activeElement === document.body || document.activeElement === null) ref.current?.focus();
  }, []);

  const code = `${pairing.code.slice(0, 3)} ${pairing.code.slice(3)}`;
  return (
    <section
      ref={ref}
      tabIndex={-1}
      className={`pairing-panel state-${pairing.state}`}
      aria-label={`Pairing with ${pairing.name}`}
      data-testid="pairing-panel"
    >
      {pairing.state === 'awaiting-approval' && (
        <>
          <p>
            Adding <strong>{pairing.name}</strong>. Check that its screen shows this code:
          </p>
          <p className="pairing-code" data-testid="pairing-code" aria-label={`Pairing code ${pairing.code.split('').join(' ')}`}>
            {code}
          </p>
          {pairing.confirmed ? (
            <p role="status">You confirmed the code. Waiting for {pairing.name}'s owner to approve…</p>
          ) : (
            <div className="row">
              <button type="button" className="button primary" disabled={pending} onClick={() => act(() => confirmPairing(pairing.pairingId))}>
                Codes match — confirm
              </button>
              <button type="button" className="button" disabled={pending} onClick={() => act(() => declinePairing(pairing.pairingId))}>
                Cancel pairing
              </button>
            </div>
          )}
          {pairing.confirmed && (
            <button type="button" className="button subtle" disabled={pending} onClick={() => act(() => declinePairing(pairing.pairingId))}>
              Cancel pairing
            </button>
          )}
        </>
      )}
      {pairing.state === 'paired' && (
        <p role="status">
          {pairing.name} joined the team.{' '}
          <button type="button" className="link-button" onClick={() => dismissPairing(pairing.pairingId)}>
            Dismiss
          </button>
        </p>
      )}
      {pairing.state !== 'paired' && pairing.state !== 'awaiting-approval' && (
        <div role="alert">
          <p>
            Pairing with {pairing.name} {ENDED_WORDS[pairing.state]}
          </p>
          {pairing.error && <p className="error-text">{pairing.error.message}</p>}
          <button type="button" className="button subtle" onClick={() => dismissPairing(pairing.pairingId)}>
            Dismiss
          </button>
        </div>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
