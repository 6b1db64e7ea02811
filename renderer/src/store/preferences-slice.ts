import type { SliceCreator } from './troupe-state.js';

export type Theme = 'dark' | 'light';
const THEME_KEY = 'troupe.theme';

export interface PreferencesSlice {
  theme: Theme;
  setTheme(theme: Theme): void;
}

export const createPreferencesSlice: SliceCreator<PreferencesSlice> = (set, _get, { storage }) => ({
  // Dark by default: the app sits next to render viewports.
  theme: storage?.getItem(THEME_KEY) === 'light' ? 'light' : 'dark',
  setTheme(theme) {
    storage?.setItem(THEME_KEY, theme);
    set({ theme });
  },
});
