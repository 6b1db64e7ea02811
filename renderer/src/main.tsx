import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectToAgent } from './api/index.js';
import { App } from './App.js';
import { createTroupeStore, StoreProvider } from './store/index.js';
import './styles/theme.css';
import './styles/layout.css';
import './styles/components.css';

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled (private mode, file://): the theme is just not remembered
  }
}

const connection = connectToAgent(window);
const store = createTroupeStore({ client: connection.client, now: () => Date.now(), storage: safeStorage() });
store.getState().start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store} connection={connection}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
