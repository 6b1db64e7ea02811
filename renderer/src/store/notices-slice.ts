import type { EventReducer, SliceCreator } from './troupe-state.js';

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export interface NoticesSlice {
  /** Things the agent or an action told us that belong to no one panel. */
  notices: Notice[];
  pushNotice(text: string, tone?: Notice['tone']): void;
  dismissNotice(id: number): void;
}

let nextNoticeId = 1;
const MAX_NOTICES = 5;

function withNotice(notices: Notice[], text: string, tone: Notice['tone']): Notice[] {
  return [...notices, { id: nextNoticeId++, text, tone }].slice(-MAX_NOTICES);
}

export const createNoticesSlice: SliceCreator<NoticesSlice> = (set, get) => ({
  notices: [],
  pushNotice(text, tone = 'error') {
    set({ notices: withNotice(get().notices, text, tone) });
  },
  dismissNotice(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
});

export const reduceNotices: EventReducer = (state, event) => {
  switch (event.type) {
    case 'pairingLocked':
      return { notices: withNotice(state.notices, event.reason, 'info') };
    case 'pairRequestsRefused':
      return { notices: withNotice(state.notices, event.message, 'info') };
    case 'memberIncompatible':
      return { notices: withNotice(state.notices, event.reason, 'error') };
    default:
      return null;
  }
};
