import { useState, type CSSProperties } from 'react';
import type { TeamMember } from '../../../shared/model/index.js';
import { ModalDialog } from '../dialog/modal-dialog.js';
import { errorText } from '../format/error-text.js';
import { useWorkerColour } from '../render/use-worker-colours.js';
import { useTroupe } from '../store/index.js';
import { describeWork, type WorkItem } from './member-activity.js';

const SHARING_WORDS = { on: 'shares', off: 'sharing paused', idle: 'shares when idle' } as const;

/** One teammate: online or not (in words, not colour alone), load, sharing, what it renders for us. */
export function MemberRow({ member, work }: { member: TeamMember; work: WorkItem[] }) {
  const removeMember = useTroupe((s) => s.removeMember);
  const colourOf = useWorkerColour();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cap = member.capacity;
  const busyShare = cap ? Math.min(1, Math.max(0, cap.load)) : 0;
  const freeShare = cap && cap.cores > 0 ? Math.min(1, cap.freeCores / cap.cores) : 0;

  const remove = async () => {
    setConfirming(false);
    setError(null);
    try {
      await removeMember(member.deviceId);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <li className={`member${member.online ? '' : ' is-offline'}`} aria-label={member.name} data-testid="team-member" data-device-id={member.deviceId}>
      <div className="card-head">
        <span className="swatch" style={{ '--swatch': colourOf(member.deviceId) } as CSSProperties} aria-hidden="true" />
        <h3 className="card-title">
          {member.name}
          {member.self && <span className="tag">this machine</span>}
        </h3>
        <span className={`presence ${member.online ? 'online' : 'offline'}`}>{member.online ? 'online' : 'offline'}</span>
      </div>
      {cap ? (
        <>
          <div
            className="load-bar"
            role="meter"
            aria-label={`${member.name} load`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(busyShare * 100)}
            aria-valuetext={`${Math.round(busyShare * 100)} % busy, ${Math.floor(cap.freeCores)} of ${cap.cores} cores free for the team`}
            style={{ '--busy': busyShare, '--free': freeShare } as CSSProperties}
          >
            <span className="load-busy" />
            <span className="load-free" />
          </div>
          <p className="muted small">
            {Math.floor(cap.freeCores)} of {cap.cores} cores free · {Math.round(busyShare * 100)} % busy · {SHARING_WORDS[cap.sharing.mode]}
            {cap.sharing.coreCap !== null && ` (at most ${cap.sharing.coreCap} cores)`}
          </p>
          {describeEngines(cap.engines).length > 0 && <p className="muted small engines">{describeEngines(cap.engines)}</p>}
        </>
      ) : (
        <p className="muted small">{member.online ? 'No load reported yet.' : 'Not reachable right now.'}</p>
      )}
      {work.length > 0 && (
        <p className="small working-on">
          Rendering {describeWork(work)}
        </p>
      )}
      {!member.self && (
        <button type="button" className="button subtle" onClick={() => setConfirming(true)}>
          Remove {member.name}
        </button>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {confirming && (
        <ModalDialog title={`Remove ${member.name} from the team?`} onDismiss={() => setConfirming(false)}>
          <p>
            {member.name} will no longer be trusted by any teammate and gets no more work. To have it back, pair with it again.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setConfirming(false)} data-autofocus>
              Keep {member.name}
            </button>
            <button type="button" className="button danger" onClick={remove}>
              Remove
            </button>
          </div>
        </ModalDialog>
      )}
    </li>
  );
}

/**
 * "Blender 3.4 (GPU: OPTIX; OpenImageDenoise) · Physics (Rapier 0.21)": what the machine runs, in
 * each engine's own words (its advert's label); engines every Troupe has advertise none.
 */
export function describeEngines(engines: readonly { id: string; label?: string }[] | undefined): string {
  return (engines ?? [])
    .flatMap((e) => (e.label ? [plainLabel(e.label)] : []))
    .filter((label) => label.length > 0)
    .join(' · ');
}

/** A teammate wrote it: no control or direction-changing characters, which could make it read as other words. */
function plainLabel(label: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a label may not hold
  return label.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim();
}
