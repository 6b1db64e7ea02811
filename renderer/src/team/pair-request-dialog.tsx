import { useState } from 'react';
import type { PairRequest } from '../../../shared/control-api/responses.js';
import { ModalDialog } from '../dialog/modal-dialog.js';
import { errorText } from '../format/error-text.js';
import { useNow } from '../format/use-now.js';
import { useTroupe } from '../store/index.js';

/**
 * Another machine asks to add this one to its team. The owner compares the code with the other
 * screen before approving (people accept pairing prompts by reflex; the code makes them look).
 * Esc rejects: doing nothing must never let a machine in.
 */
export function PairRequestDialog() {
  const request = useTroupe((s) => s.pairRequests[0]);
  if (!request) return null;
  return <RequestPrompt key={request.requestId} request={request} />;
}

function RequestPrompt({ request }: { request: PairRequest }) {
  const acceptRequest = useTroupe((s) => s.acceptRequest);
  const rejectRequest = useTroupe((s) => s.rejectRequest);
  const now = useNow(1000);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const secondsLeft = Math.max(0, Math.ceil((request.expiresAtMs - now) / 1000));

  const act = async (action: (id: string) => Promise<void>) => {
    setPending(true);
    setError(null);
    try {
      await action(request.requestId);
    } catch (err) {
      setError(errorText(err));
      setPending(false);
    }
  };

  return (
    <ModalDialog title={`Pairing request from ${request.name}`} onDismiss={() => !pending && void act(rejectRequest)} alert testId="pair-request-dialog">
      <p>
        <strong>{request.name}</strong> wants to add this machine to the team <strong>{request.teamName}</strong>.
      </p>
      <p>Approve only if {request.name}'s screen shows the same code:</p>
      <p className="pairing-code" data-testid="request-code">
        {request.code.slice(0, 3)} {request.code.slice(3)}
      </p>
      <p className="muted small">
        Device {request.deviceIdDisplay} at {request.address}
      </p>
      <p className="muted" role="timer" aria-live="off">
        {secondsLeft > 0 ? `Expires in ${secondsLeft} s` : 'Expired'}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" disabled={pending} onClick={() => act(rejectRequest)}>
          Reject
        </button>
        <button type="button" className="button primary" disabled={pending || secondsLeft === 0} onClick={() => act(acceptRequest)}>
          Approve
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </ModalDialog>
  );
}
