import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from '@dnd-kit/core';
import { useMemo, useState } from 'react';
import type { NearbyDevice } from '../../../shared/model/index.js';
import { errorText } from '../format/error-text.js';
import { useNow } from '../format/use-now.js';
import { useTroupe } from '../store/index.js';
import { AddByAddressForm } from './add-by-address-form.js';
import { workByWorker } from './member-activity.js';
import { MemberRow } from './member-row.js';
import { NearbyCard } from './nearby-card.js';
import { PairingPanel } from './pairing-panel.js';

const TEAM_DROP_ID = 'my-team';

function nameOf(data: unknown): string {
  return (data as { device?: NearbyDevice } | undefined)?.device?.name ?? 'the machine';
}

// What a screen reader hears while a card is dragged with the keyboard.
const announcements: Announcements = {
  onDragStart: ({ active }) => `Picked up ${nameOf(active.data.current)}. Move it onto My team and press Space to add it.`,
  onDragOver: ({ active, over }) =>
    over ? `${nameOf(active.data.current)} is over My team. Press Space to add it.` : `${nameOf(active.data.current)} is not over My team.`,
  onDragEnd: ({ active, over }) => (over ? `Adding ${nameOf(active.data.current)} to the team.` : `${nameOf(active.data.current)} was dropped outside My team.`),
  onDragCancel: ({ active }) => `Stopped dragging ${nameOf(active.data.current)}.`,
};

/** Nearby machines and the team side by side: a machine joins by a drag or its "Add to team" button. */
export function TeamBoard() {
  const startPairing = useTroupe((s) => s.startPairing);
  const pairings = useTroupe((s) => s.pairings);
  const [startError, setStartError] = useState<string | null>(null);
  const sensors = useSensors(
    // A few pixels of movement before a drag, so a click on the card's button stays a click.
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );

  const pairingTargets = useMemo(
    () => new Set(pairings.filter((p) => p.state === 'awaiting-approval').flatMap((p) => [p.target, p.deviceId])),
    [pairings],
  );

  const add = async (device: NearbyDevice) => {
    setStartError(null);
    try {
      await startPairing(device.deviceId);
    } catch (err) {
      setStartError(`Could not start pairing with ${device.name}: ${errorText(err)}`);
    }
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const device = (active.data.current as { device?: NearbyDevice } | undefined)?.device;
    if (over?.id === TEAM_DROP_ID && device) void add(device);
  };

  return (
    <DndContext sensors={sensors} onDragEnd={onDragEnd} accessibility={{ announcements }}>
      <div className="team-board">
        {/* Nearby first: the cards are what one drags, and the team's drop zone sits right under them. */}
        <NearbySection onAdd={add} pairingTargets={pairingTargets} />
        <TeamSection startError={startError} />
      </div>
    </DndContext>
  );
}

function NearbySection({ onAdd, pairingTargets }: { onAdd: (d: NearbyDevice) => void; pairingTargets: Set<string> }) {
  const nearby = useTroupe((s) => s.nearby);
  const team = useTroupe((s) => s.team);
  const now = useNow(5000);
  // A machine that just joined leaves Nearby with the teamChanged event, not the next nearbyChanged.
  const candidates = useMemo(() => {
    const members = new Set((team?.members ?? []).map((m) => m.deviceId));
    return nearby.filter((d) => !d.member && !members.has(d.deviceId));
  }, [nearby, team]);
  return (
    <section className="panel" aria-labelledby="nearby-heading" role="region">
      <h2 id="nearby-heading">Nearby</h2>
      {candidates.length === 0 ? (
        <p className="empty-state">No machines nearby. Start Troupe on another computer on this network, or add one by address.</p>
      ) : (
        <ul className="card-grid" aria-label="Nearby machines">
          {candidates.map((d) => (
            <NearbyCard key={d.deviceId} device={d} nowMs={now} onAdd={onAdd} busy={pairingTargets.has(d.deviceId)} />
          ))}
        </ul>
      )}
      <AddByAddressForm />
    </section>
  );
}

function TeamSection({ startError }: { startError: string | null }) {
  const team = useTroupe((s) => s.team);
  const pairings = useTroupe((s) => s.pairings);
  const jobs = useTroupe((s) => s.jobs);
  const tasksByJob = useTroupe((s) => s.tasksByJob);
  const work = useMemo(() => workByWorker(jobs, tasksByJob), [jobs, tasksByJob]);
  const { setNodeRef, isOver, active } = useDroppable({ id: TEAM_DROP_ID });
  const members = team?.members ?? [];

  return (
    <section
      ref={setNodeRef}
      className={`panel drop-zone${isOver ? ' is-over' : ''}${active ? ' is-target' : ''}`}
      aria-labelledby="team-heading"
      role="region"
      data-testid="team-drop-zone"
    >
      <h2 id="team-heading">My team</h2>
      {team && <p className="muted small">Team “{team.name}”</p>}
      {pairings.map((p) => (
        <PairingPanel key={p.pairingId} pairing={p} />
      ))}
      {startError && (
        <p className="error-text" role="alert">
          {startError}
        </p>
      )}
      {members.length === 0 ? (
        <p className="empty-state">No team yet. Drag a nearby machine here, or press its “Add to team” button; you will compare a 6-digit code on both screens.</p>
      ) : (
        <ul className="member-list" aria-label="Team members">
          {members.map((m) => (
            <MemberRow key={m.deviceId} member={m} work={work.get(m.deviceId) ?? []} />
          ))}
        </ul>
      )}
      {active && <p className="drop-hint" aria-hidden="true">Drop here to add to the team</p>}
    </section>
  );
}
