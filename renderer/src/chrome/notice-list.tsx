import { useTroupe } from '../store/index.js';

/** What the agent said that belongs to no one panel: pairing paused, requests turned away, versions. */
export function NoticeList() {
  const notices = useTroupe((s) => s.notices);
  const dismiss = useTroupe((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-label="Notices">
      {notices.map((n) => (
        <li key={n.id} className={`notice ${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" className="link-button" onClick={() => dismiss(n.id)} aria-label="Dismiss notice">
            Dismiss
          </button>
        </li>
      ))}
    </ul>
  );
}
