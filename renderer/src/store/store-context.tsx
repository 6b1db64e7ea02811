import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AgentConnection } from '../api/agent-connection.js';
import type { TroupeState, TroupeStore } from './troupe-state.js';

interface AppContext {
  store: TroupeStore;
  connection: AgentConnection;
}

const Context = createContext<AppContext | null>(null);

export function StoreProvider({ store, connection, children }: AppContext & { children: ReactNode }) {
  return <Context.Provider value={{ store, connection }}>{children}</Context.Provider>;
}

function useAppContext(): AppContext {
  const value = useContext(Context);
  if (!value) throw new Error('StoreProvider is missing');
  return value;
}

/** One slice's field or action: components re-render only when what they select changes. */
export function useTroupe<T>(selector: (state: TroupeState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function useTroupeStore(): TroupeStore {
  return useAppContext().store;
}

export function useConnection(): AgentConnection {
  return useAppContext().connection;
}
